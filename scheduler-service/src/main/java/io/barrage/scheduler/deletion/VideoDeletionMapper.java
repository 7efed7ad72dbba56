package io.barrage.scheduler.deletion;

import com.baomidou.mybatisplus.core.mapper.BaseMapper;
import java.time.LocalDateTime;
import java.util.List;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

@Mapper
interface VideoDeletionMapper extends BaseMapper<VideoDeletion> {

    /**
     * Claims due records for this transaction. SKIP LOCKED lets several scheduler instances share the
     * work: each takes rows nobody else holds, none waits, none purges a video twice at once.
     */
    @Select("SELECT * FROM video_deletion WHERE status = 'PENDING' AND due_at <= #{now}"
            + " ORDER BY due_at LIMIT #{limit} FOR UPDATE SKIP LOCKED")
    List<VideoDeletion> lockDue(@Param("now") LocalDateTime now, @Param("limit") int limit);

    /** Deletions that are due and not yet done: the purge backlog an SRE watches. */
    @Select("SELECT COUNT(*) FROM video_deletion WHERE status = 'PENDING' AND due_at <= #{now}")
    long countDue(@Param("now") LocalDateTime now);

    @Select("SELECT * FROM video_deletion WHERE video_id = #{videoId} FOR UPDATE")
    VideoDeletion lockById(@Param("videoId") long videoId);
}
