package io.barrage.video.catalog;

import java.util.List;

record VideoPage(List<VideoView> items, int page, int size, long total) {}
