package io.barrage.push.room;

import io.barrage.push.shard.Shards;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

@RestController
class OnlineController {

    private final Rooms rooms;
    private final Shards shards;

    OnlineController(Rooms rooms, Shards shards) {
        this.rooms = rooms;
        this.shards = shards;
    }

    record Online(long videoId, int count) {}

    /**
     * Exact: this shard holds every viewer of the videos it owns. Asked about another shard's video, it
     * answers 421 with the owner rather than a wrong 0.
     */
    @GetMapping("/api/v1/videos/{id}/online")
    ResponseEntity<?> online(@PathVariable("id") long videoId) {
        if (!shards.owns(videoId)) {
            int owner = shards.ownerOf(videoId);
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                    HttpStatusCode.valueOf(421), "Video " + videoId + " is served by push shard " + owner + ".");
            problem.setTitle("Misdirected Request");
            problem.setProperty("code", "wrong-shard");
            problem.setProperty("shard", owner);
            return ResponseEntity.status(421)
                    .header(RoomSocketHandler.SHARD_HEADER, Integer.toString(owner))
                    .body(problem);
        }
        return ResponseEntity.ok(new Online(videoId, rooms.online(videoId)));
    }
}
