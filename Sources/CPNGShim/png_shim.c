#include "png_shim.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every function that calls setjmp keeps no local state that changes after it: what libpng's callbacks
   and the protected code fill in lives in the caller's frame, reached through unchanging pointers. */

typedef struct error_report {
    char *message;
    size_t capacity;
} error_report;

/* The largest width or height read. */
enum { PD_PNG_MAX_SIDE = 16384, PD_PNG_MAX_ANCILLARY_CHUNKS = 1000 };

static void report(error_report *report, const char *text) {
    if (report->capacity > 0) snprintf(report->message, report->capacity, "%s", text);
}

/* An error follows the warnings that explain it (libpng warns "Image width exceeds user limit in IHDR", then fails
   with "Invalid IHDR data"): the message keeps both. */
static void append(error_report *errors, const char *text) {
    size_t used = errors->capacity > 0 ? strlen(errors->message) : 0;
    if (used == 0) report(errors, text);
    else if (used + 2 < errors->capacity) snprintf(errors->message + used, errors->capacity - used, "; %s", text);
}

static void on_error(png_structp png, png_const_charp text) {
    append(png_get_error_ptr(png), text);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp text) { append(png_get_error_ptr(png), text); }

/* ---- encoding ---- */

typedef struct growing_buffer {
    unsigned char *bytes;
    size_t count;
    size_t capacity;
} growing_buffer;

static void append_to_buffer(png_structp png, png_bytep data, size_t length) {
    growing_buffer *buffer = (growing_buffer *)png_get_io_ptr(png);
    if (length > SIZE_MAX - buffer->count) png_error(png, "encoded PNG too large");
    size_t needed = buffer->count + length;
    if (needed > buffer->capacity) {
        size_t capacity = buffer->capacity < 4096 ? 4096 : buffer->capacity;
        while (capacity < needed) capacity = capacity > SIZE_MAX / 2 ? needed : capacity * 2;
        unsigned char *grown = realloc(buffer->bytes, capacity);
        if (grown == NULL) png_error(png, "out of memory");
        buffer->bytes = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->bytes + buffer->count, data, length);
    buffer->count = needed;
}

static void flush_nothing(png_structp png) { (void)png; }

static int encode_protected(png_structp png, png_infop info, const unsigned char *pixels, uint32_t width,
                            uint32_t height, int channels, png_textp texts, int text_count,
                            png_bytep *rows, growing_buffer *buffer) {
    if (setjmp(png_jmpbuf(png))) return -1;
    png_set_write_fn(png, buffer, append_to_buffer, flush_nothing);
    png_set_IHDR(png, info, width, height, 8, channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (text_count > 0) png_set_text(png, info, texts, text_count);
    for (uint32_t row = 0; row < height; row++) {
        rows[row] = (png_bytep)pixels + (size_t)row * width * (size_t)channels;
    }
    png_write_info(png, info);
    png_write_image(png, rows);
    png_write_end(png, info);
    return 0;
}

int pd_png_encode(const unsigned char *pixels, uint32_t width, uint32_t height, int channels,
                  const pd_png_text *texts, int text_count,
                  unsigned char **encoded, size_t *encoded_count,
                  char *message, size_t message_capacity) {
    error_report errors = {message, message_capacity};
    if (message_capacity > 0) message[0] = '\0';
    if (channels != 1 && channels != 3) {
        report(&errors, "only gray (1 channel) and RGB (3 channels) images can be encoded");
        return -1;
    }
    png_bytep *rows = calloc(height > 0 ? height : 1, sizeof(png_bytep));
    png_textp png_texts = calloc(text_count > 0 ? (size_t)text_count : 1, sizeof(png_text));
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &errors, on_error, on_warning);
    png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
    if (rows == NULL || png_texts == NULL || info == NULL) {
        report(&errors, "out of memory");
        png_destroy_write_struct(png != NULL ? &png : NULL, NULL);
        free(rows);
        free(png_texts);
        return -1;
    }
    for (int index = 0; index < text_count; index++) {
        png_texts[index].compression = texts[index].is_utf8 ? PNG_ITXT_COMPRESSION_NONE : PNG_TEXT_COMPRESSION_NONE;
        png_texts[index].key = (png_charp)texts[index].keyword;
        png_texts[index].text = (png_charp)texts[index].text;
        png_texts[index].text_length = texts[index].is_utf8 ? 0 : texts[index].text_length;
        png_texts[index].itxt_length = texts[index].is_utf8 ? texts[index].text_length : 0;
        png_texts[index].lang = NULL;
        png_texts[index].lang_key = NULL;
    }
    growing_buffer buffer = {NULL, 0, 0};
    int status = encode_protected(png, info, pixels, width, height, channels, png_texts, text_count, rows, &buffer);
    png_destroy_write_struct(&png, &info);
    free(rows);
    free(png_texts);
    if (status != 0) {
        free(buffer.bytes);
        return -1;
    }
    *encoded = buffer.bytes;
    *encoded_count = buffer.count;
    return 0;
}

/* ---- decoding ---- */

/* Checks that every chunk's declared length fits in the bytes that follow it, up to IEND, and adds up the IDAT
   chunks' lengths into `image_data_bytes`. libpng allocates a text chunk whole from its length field before reading
   it (and only warns that it is too large), so an 87-byte file declaring a 2 GB tEXt chunk took 2 GB; with the
   whole file in memory, such a length is refused first. */
static int check_chunk_lengths(const unsigned char *bytes, size_t count, size_t *image_data_bytes,
                               error_report *errors) {
    size_t offset = 8;
    *image_data_bytes = 0;
    while (count - offset >= 12) {
        size_t length = (size_t)bytes[offset] << 24 | (size_t)bytes[offset + 1] << 16 | (size_t)bytes[offset + 2] << 8
            | (size_t)bytes[offset + 3];
        if (length > count - offset - 12) {
            char name[5] = {0}, text[160];
            for (int index = 0; index < 4; index++) {
                unsigned char letter = bytes[offset + 4 + index];
                name[index] = letter >= 0x20 && letter < 0x7F ? (char)letter : '?';
            }
            snprintf(text, sizeof text, "truncated or corrupt: chunk %s at byte %zu declares %zu bytes of data, but only %zu follow",
                     name, offset, length, count - offset - 12);
            report(errors, text);
            return -1;
        }
        if (memcmp(bytes + offset + 4, "IEND", 4) == 0) return 0;
        if (memcmp(bytes + offset + 4, "IDAT", 4) == 0) *image_data_bytes += length;
        offset += 12 + length;
    }
    return 0;
}

typedef struct memory_source {
    const unsigned char *bytes;
    size_t count;
    size_t offset;
} memory_source;

static void read_from_memory(png_structp png, png_bytep data, size_t length) {
    memory_source *source = (memory_source *)png_get_io_ptr(png);
    if (length > source->count - source->offset) {
        png_error(png, "unexpected end of file: the PNG data is truncated");
    }
    memcpy(data, source->bytes + source->offset, length);
    source->offset += length;
}

static char *copy_string(const char *text, size_t length) {
    char *copy = malloc(length + 1);
    if (copy != NULL) {
        memcpy(copy, text, length);
        copy[length] = '\0';
    }
    return copy;
}

/* Copies libpng's text chunks into `image`, which owns them from then on. */
static void copy_texts(png_structp png, png_infop info, pd_png_image *image) {
    png_textp texts = NULL;
    int count = png_get_text(png, info, &texts, NULL);
    if (count <= 0) return;
    image->texts = calloc((size_t)count, sizeof(pd_png_text));
    if (image->texts == NULL) png_error(png, "out of memory");
    for (int index = 0; index < count; index++) {
        int is_utf8 = texts[index].compression >= PNG_ITXT_COMPRESSION_NONE;
        size_t length = is_utf8 ? texts[index].itxt_length : texts[index].text_length;
        pd_png_text *copy = &image->texts[index];
        copy->keyword = copy_string(texts[index].key, strlen(texts[index].key));
        copy->text = copy_string(texts[index].text != NULL ? texts[index].text : "", texts[index].text != NULL ? length : 0);
        copy->text_length = texts[index].text != NULL ? length : 0;
        copy->is_utf8 = is_utf8;
        image->text_count = index + 1;
        if (copy->keyword == NULL || copy->text == NULL) png_error(png, "out of memory");
    }
}

/* Deflate's largest compression ratio is 1032:1 (a 258-byte match in under 2 bits); above it with room to spare,
   the image data cannot hold the image. */
enum { PD_DEFLATE_MAX_RATIO = 1100 };

static int decode_protected(png_structp png, png_infop info, memory_source *source, size_t image_data_bytes,
                            pd_png_image *image, png_bytep **rows) {
    if (setjmp(png_jmpbuf(png))) return -1;
    png_set_read_fn(png, source, read_from_memory);
    /* A few hundred bytes can declare a 20000 x 20000 image: refuse sides beyond any diffusion model's input before
       libpng or this code allocates for them. */
    png_set_user_limits(png, PD_PNG_MAX_SIDE, PD_PNG_MAX_SIDE);
    png_set_chunk_cache_max(png, PD_PNG_MAX_ANCILLARY_CHUNKS);
    png_read_info(png, info);
    /* Tiny files can declare 16384 x 16384 images without the data to fill them: refuse them before the pixels are
       allocated, from the stored (still filtered and compressed) size the header implies. */
    size_t stored_bytes = (size_t)png_get_rowbytes(png, info) * png_get_image_height(png, info);
    if (stored_bytes / PD_DEFLATE_MAX_RATIO > image_data_bytes) {
        char text[200];
        snprintf(text, sizeof text, "truncated or corrupt: %zu bytes of image data cannot hold the %u x %u image the "
                 "header declares", image_data_bytes, png_get_image_width(png, info), png_get_image_height(png, info));
        png_error(png, text);
    }
    int color_type = png_get_color_type(png, info);
    int bit_depth = png_get_bit_depth(png, info);
    if (bit_depth == 16) png_set_scale_16(png);
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if ((color_type & PNG_COLOR_MASK_ALPHA) != 0 || png_get_valid(png, info, PNG_INFO_tRNS) != 0) {
        png_set_strip_alpha(png);
    }
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    image->width = png_get_image_width(png, info);
    image->height = png_get_image_height(png, info);
    image->channels = png_get_channels(png, info);
    if (png_get_bit_depth(png, info) != 8 || (image->channels != 1 && image->channels != 3)) {
        png_error(png, "cannot convert this PNG's colour type to 8-bit gray or RGB");
    }
    size_t row_bytes = png_get_rowbytes(png, info);
    if (row_bytes != (size_t)image->width * (size_t)image->channels) png_error(png, "unexpected row size");
    if (image->height > 0 && row_bytes > SIZE_MAX / image->height) png_error(png, "image too large");
    image->pixels = malloc(row_bytes * image->height > 0 ? row_bytes * image->height : 1);
    *rows = calloc(image->height > 0 ? image->height : 1, sizeof(png_bytep));
    if (image->pixels == NULL || *rows == NULL) png_error(png, "out of memory: image too large");
    for (uint32_t row = 0; row < image->height; row++) (*rows)[row] = image->pixels + (size_t)row * row_bytes;
    png_read_image(png, *rows);
    png_read_end(png, info);
    copy_texts(png, info, image);
    return 0;
}

int pd_png_decode(const unsigned char *bytes, size_t count, pd_png_image *image,
                  char *message, size_t message_capacity) {
    error_report errors = {message, message_capacity};
    if (message_capacity > 0) message[0] = '\0';
    memset(image, 0, sizeof(*image));
    if (count < 8 || png_sig_cmp(bytes, 0, 8) != 0) {
        report(&errors, "not a PNG file: the 8-byte PNG signature is missing");
        return -1;
    }
    size_t image_data_bytes = 0;
    if (check_chunk_lengths(bytes, count, &image_data_bytes, &errors) != 0) return -1;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &errors, on_error, on_warning);
    png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
    if (info == NULL) {
        report(&errors, "out of memory");
        png_destroy_read_struct(png != NULL ? &png : NULL, NULL, NULL);
        return -1;
    }
    memory_source source = {bytes, count, 0};
    png_bytep *rows = NULL;
    int status = decode_protected(png, info, &source, image_data_bytes, image, &rows);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    if (status != 0) pd_png_image_free(image);
    return status;
}

void pd_png_free(void *pointer) { free(pointer); }

void pd_png_image_free(pd_png_image *image) {
    for (int index = 0; index < image->text_count; index++) {
        free((void *)image->texts[index].keyword);
        free((void *)image->texts[index].text);
    }
    free(image->texts);
    free(image->pixels);
    memset(image, 0, sizeof(*image));
}
