package io.barrage.push.room;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

@RestController
class OnlineController {

    private final Rooms rooms;

    OnlineController(Rooms rooms) {
        this.rooms = rooms;
    }

    record Online(long videoId, int count) {}

    /** Exact for this instance, which (with sharding, issue 6) holds every viewer of the video. */
    @GetMapping("/api/v1/videos/{id}/online")
    Online online(@PathVariable("id") long videoId) {
        return new Online(videoId, rooms.online(videoId));
    }
}
