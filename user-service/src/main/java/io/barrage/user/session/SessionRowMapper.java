package io.barrage.user.session;

import com.baomidou.mybatisplus.core.mapper.BaseMapper;
import org.apache.ibatis.annotations.Mapper;

@Mapper
interface SessionRowMapper extends BaseMapper<SessionRow> {}
