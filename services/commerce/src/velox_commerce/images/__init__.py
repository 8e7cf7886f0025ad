"""Product images: upload checked by content, thumbnails, disk or S3 storage."""
