package io.barrage.user.settings;

import java.time.Instant;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** Writes are conditional on the version read, so of two concurrent writers exactly one wins. */
@Mapper
interface DanmakuSettingsMapper {

    @Select("SELECT user_id, version, document, updated_at FROM danmaku_settings WHERE user_id = #{userId}")
    SettingsRow find(@Param("userId") long userId);

    /** The first save; a concurrent first save makes this fail on the primary key. */
    @Insert("INSERT INTO danmaku_settings (user_id, version, document, updated_at)"
            + " VALUES (#{userId}, 1, #{document}, #{now})")
    void insert(@Param("userId") long userId, @Param("document") String document, @Param("now") Instant now);

    @Update("UPDATE danmaku_settings SET version = version + 1, document = #{document}, updated_at = #{now}"
            + " WHERE user_id = #{userId} AND version = #{expected}")
    int update(
            @Param("userId") long userId,
            @Param("expected") long expected,
            @Param("document") String document,
            @Param("now") Instant now);
}
