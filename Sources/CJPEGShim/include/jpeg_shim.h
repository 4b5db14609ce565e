#ifndef PARADIFFUSE_JPEG_SHIM_H
#define PARADIFFUSE_JPEG_SHIM_H

#include <stddef.h>
#include <stdint.h>

/// libjpeg reports errors through its error manager, whose default ends the process. This function runs libjpeg
/// under setjmp and turns its errors into a return value of -1 with libjpeg's message copied into `message`.

/// 8-bit pixels, rows top to bottom, `channels` interleaved samples per pixel (1 gray, 3 RGB).
typedef struct pd_jpeg_image {
    unsigned char *pixels;
    uint32_t width;
    uint32_t height;
    int channels;
} pd_jpeg_image;

/// Decodes a baseline or progressive JPEG as PIL's `Image.open` does (libjpeg-turbo's defaults: the accurate
/// integer IDCT, fancy upsampling): gray JPEGs to gray, other three-component JPEGs to RGB. CMYK and YCCK JPEGs,
/// sides beyond 16384, files that end before the image does, and progressive files of excessive scan counts are
/// refused. On success `*image` is filled; release it with `pd_jpeg_image_free`.
int pd_jpeg_decode(const unsigned char *bytes, size_t count, pd_jpeg_image *image,
                   char *message, size_t message_capacity);

void pd_jpeg_image_free(pd_jpeg_image *image);

#endif
