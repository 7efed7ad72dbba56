package io.barrage.scheduler.jobs;

import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** Leases compare with the database's clock, so replicas with skewed clocks still agree. */
@Mapper
interface JobLeaseMapper {

    @Insert("INSERT IGNORE INTO job_lease (name, lease_until) VALUES (#{name}, '2000-01-01 00:00:00')")
    void ensure(@Param("name") String name);

    /**
     * Takes this period of the job: one atomic conditional UPDATE, so of several replicas ticking at once
     * exactly one sees 1 row changed. The lease runs for the whole period, which makes it the next due
     * time too: nobody runs the job again before the period is over, whether this run succeeds, fails or
     * its replica dies.
     */
    @Update("UPDATE job_lease SET holder = #{holder}, last_started_at = UTC_TIMESTAMP(3),"
            + " lease_until = UTC_TIMESTAMP(3) + INTERVAL #{periodMicros} MICROSECOND"
            + " WHERE name = #{name} AND lease_until <= UTC_TIMESTAMP(3)")
    int acquire(@Param("name") String name, @Param("holder") String holder, @Param("periodMicros") long periodMicros);

    @Update("UPDATE job_lease SET last_success_at = UTC_TIMESTAMP(3), last_duration_ms = #{durationMs},"
            + " last_items = #{items}, last_error = NULL WHERE name = #{name} AND holder = #{holder}")
    int succeeded(
            @Param("name") String name,
            @Param("holder") String holder,
            @Param("durationMs") long durationMs,
            @Param("items") long items);

    @Update("UPDATE job_lease SET last_duration_ms = #{durationMs}, last_error = #{error}"
            + " WHERE name = #{name} AND holder = #{holder}")
    int failed(
            @Param("name") String name,
            @Param("holder") String holder,
            @Param("durationMs") long durationMs,
            @Param("error") String error);

    @Select("SELECT * FROM job_lease ORDER BY name")
    List<JobLease> all();
}
