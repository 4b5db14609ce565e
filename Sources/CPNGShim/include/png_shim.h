#ifndef PARADIFFUSE_PNG_SHIM_H
#define PARADIFFUSE_PNG_SHIM_H

#include <stddef.h>
#include <stdint.h>

/// libpng reports errors by longjmp, which Swift cannot survive. These functions run libpng under setjmp
/// and turn its errors into a return value of -1 with libpng's message copied into `message`.

/// A text chunk: keyword and text in Latin-1 (tEXt) or, when `is_utf8` is set, UTF-8 text (iTXt).
typedef struct pd_png_text {
    const char *keyword;
    const char *text;
    size_t text_length;
    int is_utf8;
} pd_png_text;

/// 8-bit pixels, rows top to bottom, `channels` interleaved samples per pixel (1 gray, 3 RGB).
typedef struct pd_png_image {
    unsigned char *pixels;
    uint32_t width;
    uint32_t height;
    int channels;
    pd_png_text *texts;
    int text_count;
} pd_png_image;

/// Encodes an 8-bit gray (`channels` 1) or RGB (`channels` 3) image with the given text chunks.
/// On success `*encoded` holds `*encoded_count` bytes to release with `pd_png_free`.
int pd_png_encode(const unsigned char *pixels, uint32_t width, uint32_t height, int channels,
                  const pd_png_text *texts, int text_count,
                  unsigned char **encoded, size_t *encoded_count,
                  char *message, size_t message_capacity);

/// Decodes a PNG of any colour type to 8-bit gray (gray, gray + alpha) or RGB (RGB, RGBA, palette),
/// dropping alpha; 16-bit samples are scaled to 8 bits. Text chunks come back too.
/// On success `*image` is filled; release it with `pd_png_image_free`.
int pd_png_decode(const unsigned char *bytes, size_t count, pd_png_image *image,
                  char *message, size_t message_capacity);

void pd_png_free(void *pointer);
void pd_png_image_free(pd_png_image *image);

#endif
