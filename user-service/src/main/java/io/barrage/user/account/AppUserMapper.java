package io.barrage.user.account;

import com.baomidou.mybatisplus.core.mapper.BaseMapper;
import org.apache.ibatis.annotations.Mapper;

@Mapper
interface AppUserMapper extends BaseMapper<AppUser> {}
