/** The S3 bucket holding the uploaded originals, reached with the MinIO client. */
package io.barrage.video.storage;
