// The watch page's playback decisions: which engine plays a URL, the storyboard's seek preview, the
// quality menu and the processing text. Run with: node --test gateway/src/test/js
import { test } from 'node:test';
import assert from 'node:assert/strict';

const {
  HLS_JS_URL, isHlsUrl, playbackEngine, playbackUrl, parseVttTime, parseStoryboardVtt, cueAt, previewLeft, fractionAt,
  levelLabel, qualityMenu, playbackState, processingText, rungLines, failureText, keepPolling, variantCount,
  publishedRungs, ladderGrew,
} = await import(new URL('../../main/resources/static/assets/playback.js', import.meta.url));

test('an HLS playlist plays with hls.js where MSE exists, natively on Safari without it, and a file plays as is', () => {
  const master = '/api/v1/videos/7/hls/master.m3u8';
  assert.equal(playbackEngine(master, { mediaSource: true, nativeHls: false }), 'hls.js');
  assert.equal(playbackEngine(master, { mediaSource: true, nativeHls: true }), 'hls.js', 'desktop Safari: hls.js for the quality menu');
  assert.equal(playbackEngine(master, { mediaSource: false, nativeHls: true }), 'native');
  assert.equal(playbackEngine(master, { mediaSource: false, nativeHls: false }), 'unsupported');
  assert.equal(playbackEngine('/api/v1/videos/7/stream', { mediaSource: true }), 'plain');
  assert.equal(playbackEngine('https://store/x/master.m3u8?X-Amz-Signature=ab', { mediaSource: true }), 'hls.js');
  assert.equal(playbackEngine('', { mediaSource: true }), 'unsupported');
  assert.ok(isHlsUrl('/a/master.M3U8#t=3'));
  assert.ok(!isHlsUrl('/a/master.m3u8.bak'));
});

test('a video without a streamUrl (an older server) plays its original stream', () => {
  assert.equal(playbackUrl({ streamUrl: '/api/v1/videos/1/hls/master.m3u8' }, '/s'), '/api/v1/videos/1/hls/master.m3u8');
  assert.equal(playbackUrl({}, '/api/v1/videos/1/stream'), '/api/v1/videos/1/stream');
  assert.equal(playbackUrl(null, '/fallback'), '/fallback');
});

test('hls.js is pinned to a versioned path the gateway serves itself', () => {
  assert.match(HLS_JS_URL, /^\/webjars\/hls\.js\/\d+\.\d+\.\d+\/dist\/hls\.min\.js$/);
});

test('the storyboard track becomes sprite tiles, resolved against the track URL', () => {
  const vtt = [
    'WEBVTT',
    '',
    '00:00:00.000 --> 00:00:05.000',
    'sprite-0.jpg#xywh=0,0,160,90',
    '',
    '2',
    '00:00:05.000 --> 00:00:10.000',
    'sprite-0.jpg#xywh=160,0,160,90',
    '',
    '00:10.000 --> 00:15.500',
    '/other/sprite-1.jpg#xywh=pixel:0,90,160,90',
    '',
    'garbage --> 00:00:20.000',
    'sprite-9.jpg#xywh=0,0,1,1',
    '',
  ].join('\r\n');
  const cues = parseStoryboardVtt(vtt, 'http://gw/api/v1/videos/7/storyboard/thumbnails.vtt');
  assert.deepEqual(cues, [
    { start: 0, end: 5, url: 'http://gw/api/v1/videos/7/storyboard/sprite-0.jpg', x: 0, y: 0, w: 160, h: 90 },
    { start: 5, end: 10, url: 'http://gw/api/v1/videos/7/storyboard/sprite-0.jpg', x: 160, y: 0, w: 160, h: 90 },
    { start: 10, end: 15.5, url: 'http://gw/other/sprite-1.jpg', x: 0, y: 90, w: 160, h: 90 },
  ]);
  assert.equal(parseVttTime('01:02:03.4'), 3723.4);
  assert.ok(Number.isNaN(parseVttTime('soon')));
  assert.deepEqual(parseStoryboardVtt('', 'http://gw/'), []);
  assert.deepEqual(parseStoryboardVtt(null, 'http://gw/'), []);
});

test('hovering the bar picks the tile of that moment and keeps it inside the bar', () => {
  const cues = [0, 5, 10].map((start) => ({ start, end: start + 5, url: 'u', x: start * 32, y: 0, w: 160, h: 90 }));
  assert.equal(cueAt(cues, 0).x, 0);
  assert.equal(cueAt(cues, 7.2).x, 160);
  assert.equal(cueAt(cues, 99).x, 320, 'past the end: the last tile');
  assert.equal(cueAt(cues, -1).x, 0);
  assert.equal(cueAt([], 3), null);
  assert.equal(previewLeft(10, 640, 160), 0);
  assert.equal(previewLeft(320, 640, 160), 240);
  assert.equal(previewLeft(630, 640, 160), 480);
  assert.equal(previewLeft(50, 100, 160), 0, 'a bar narrower than the tile');
  assert.equal(fractionAt(160, 640), 0.25);
  assert.equal(fractionAt(-5, 640), 0);
  assert.equal(fractionAt(700, 640), 1);
  assert.equal(fractionAt(10, 0), 0);
});

test('the quality menu offers Auto and each rung, highest first, and Auto names the rung it plays', () => {
  const levels = [
    { height: 240, bitrate: 400_000 },
    { height: 720, bitrate: 2_800_000 },
    { height: 360, bitrate: 800_000 },
  ];
  assert.deepEqual(qualityMenu(levels, { manual: -1, playing: 2 }), [
    { value: -1, label: 'Auto (360p)', selected: true, active: false },
    { value: 1, label: '720p', selected: false, active: false },
    { value: 2, label: '360p', selected: false, active: true },
    { value: 0, label: '240p', selected: false, active: false },
  ]);
  const manual = qualityMenu(levels, { manual: 0, playing: 0 });
  assert.equal(manual[0].label, 'Auto');
  assert.equal(manual[0].selected, false);
  assert.deepEqual(manual.find((o) => o.selected), { value: 0, label: '240p', selected: true, active: true });
  assert.deepEqual(qualityMenu([], {}), [{ value: -1, label: 'Auto', selected: true, active: false }]);
  assert.deepEqual(
    qualityMenu([{ height: 480, bitrate: 1_000_000 }, { height: 480, bitrate: 1_500_000 }]).map((o) => o.label),
    ['Auto', '480p 1500 kbps', '480p 1000 kbps'],
  );
  assert.equal(levelLabel({ height: 0, bitrate: 128_000 }), 'Audio 128 kbps');
});

test('the owner reads the processing progress, per rung, and why it failed', () => {
  const processing = {
    status: 'PROCESSING',
    processing: {
      percent: 41.6,
      rungs: [
        { name: '360p', height: 360, state: 'QUEUED', percent: 0 },
        { name: '240p', height: 240, state: 'RUNNING', percent: 83 },
      ],
    },
  };
  assert.equal(processingText(processing), 'Processing 42 %');
  assert.deepEqual(rungLines(processing), ['240p 83 %', '360p waiting']);
  assert.equal(playbackState(processing), 'wait');
  assert.ok(keepPolling(processing));

  const playable = {
    status: 'READY',
    processing: { percent: 70, rungs: [{ name: '240p', height: 240, state: 'DONE', percent: 100 }, { name: '360p', height: 360, state: 'FAILED' }] },
  };
  assert.equal(playbackState(playable), 'play');
  assert.equal(processingText(playable), 'Still converting: 70 %');
  assert.deepEqual(rungLines(playable), ['240p ready', '360p failed']);
  assert.ok(keepPolling(playable));

  const done = { status: 'READY', processing: null };
  assert.equal(processingText(done), null);
  assert.ok(!keepPolling(done));
  assert.equal(playbackState({}), 'play', 'an older server says nothing: play');

  const failed = { status: 'FAILED', failureReason: 'not-a-video', failureMessage: 'The file has no video stream.' };
  assert.equal(playbackState(failed), 'failed');
  assert.equal(failureText(failed), 'The file has no video stream.');
  assert.equal(failureText({ status: 'FAILED' }), 'This video could not be processed.');
  assert.ok(!keepPolling(failed));
  assert.equal(processingText({ status: 'PROCESSING', processing: null }), 'Processing 0 %');
  assert.equal(processingText({ status: 'UPLOADING' }), 'Uploading…');
});

test('a rung published while the viewer watches makes the player read the master again, and so does the end of the ladder', () => {
  const processing = (...states) => ({
    status: 'READY',
    processing: { percent: 50, rungs: states.map((state, i) => ({ name: `${240 * (i + 1)}p`, height: 240 * (i + 1), state, percent: 0 })) },
  });
  assert.equal(publishedRungs(processing('DONE', 'RUNNING', 'QUEUED')), 1);
  assert.equal(publishedRungs(processing('DONE', 'DONE', 'RUNNING')), 2);
  assert.equal(publishedRungs(processing('GROWING', 'GROWING', 'QUEUED')), 2, 'listed while being made');
  assert.equal(publishedRungs({ status: 'READY', processing: null }), null, 'done: the JSON no longer says');
  assert.equal(publishedRungs({ status: 'PROCESSING', processing: { percent: 0, rungs: [] } }), 0, 'queued');

  assert.equal(ladderGrew(null, 1), false, 'the first look: the player has just loaded the master');
  assert.equal(ladderGrew(1, 1), false);
  assert.equal(ladderGrew(1, 2), true, 'a rung joined');
  assert.equal(ladderGrew(2, null), true, 'the ladder finished: its last rungs may have joined');
  assert.equal(ladderGrew(null, null), false, 'a finished video, opened after it finished');

  const master = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=426x240,CODECS="avc1.64001e"\n'
    + '240p/index.m3u8\r\n#EXT-X-STREAM-INF:BANDWIDTH=2,RESOLUTION=640x360\r\n360p/index.m3u8\n';
  assert.equal(variantCount(master), 2);
  assert.equal(variantCount(''), 0);
  assert.equal(variantCount(undefined), 0);
});
