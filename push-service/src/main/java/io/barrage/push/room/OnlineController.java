package io.barrage.push.room;

import io.barrage.push.shard.Shards;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

@RestController
class OnlineController {

    private final Rooms rooms;
    private final Shards shards;
    private final SpreadView spread;
    private final RoomEndpoint endpoint;

    OnlineController(Rooms rooms, Shards shards, SpreadView spread, RoomEndpoint endpoint) {
        this.rooms = rooms;
        this.shards = shards;
        this.spread = spread;
        this.endpoint = endpoint;
    }

    record Online(long videoId, int count) {}

    /**
     * Exact: this shard holds every viewer of the videos it owns, and of a spread video it adds what the
     * other shards of its set report (a report older than {@code spread-report-timeout} counts as none).
     * Asked about another shard's video, it answers 421 with the owner rather than a wrong 0.
     */
    @GetMapping("/api/v1/videos/{id}/online")
    ResponseEntity<?> online(@PathVariable("id") long videoId) {
        if (!shards.owns(videoId) && !spread.serves(videoId)) {
            int owner = shards.ownerOf(videoId);
            return ResponseEntity.status(421)
                    .header(RoomEndpoint.SHARD_HEADER, Integer.toString(owner))
                    .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .body(endpoint.wrongShard(videoId, owner));
        }
        return ResponseEntity.ok(new Online(videoId, rooms.online(videoId)));
    }
}
