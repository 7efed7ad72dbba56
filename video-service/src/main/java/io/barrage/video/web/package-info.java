/**
 * What this service's endpoints share beyond the platform's plumbing: the object store's failures as
 * problems, the problems every feature answers alike, and the Tomcat settings for streaming.
 */
package io.barrage.video.web;
