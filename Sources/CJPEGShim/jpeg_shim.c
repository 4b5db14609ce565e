#include "jpeg_shim.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

/* decode_protected calls setjmp and keeps no local state that changes after it: what the error manager and the
   decoding fill in lives in the caller's frame, reached through unchanging pointers. */

enum {
    /* The largest width or height read, as for PNG. */
    PD_JPEG_MAX_SIDE = 16384,
    /* Scans of a progressive JPEG (encoders write about 10); each scan visits every block of its components. */
    PD_JPEG_MAX_SCANS = 500,
};
/* Bounds the work of progressive decoding: scans times 8x8 blocks per component. */
static const double PD_JPEG_MAX_BLOCK_VISITS = 1073741824.0;
/* libjpeg's whole-image buffers (a progressive JPEG's coefficients): beyond this it needs a backing store, which
   this build lacks, and fails. A 16384 x 16384 4:2:0 progressive JPEG needs 805 MB. */
static const long PD_JPEG_MAX_MEMORY = 1L << 30;

typedef struct error_manager {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
    size_t capacity;
} error_manager;

typedef struct scan_limit {
    struct jpeg_progress_mgr base;
    int max_scans;
} scan_limit;

static void report(error_manager *errors, const char *text) {
    if (errors->capacity > 0) snprintf(errors->message, errors->capacity, "%s", text);
}

static void fail(j_common_ptr cinfo) {
    error_manager *errors = (error_manager *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    errors->base.format_message(cinfo, text);
    report(errors, text);
    longjmp(errors->jump, 1);
}

/* Warnings about corrupt data are ignored, as PIL does (the damaged blocks decode as libjpeg fills them); running
   out of data is an error, as PIL's "image file is truncated". */
static void on_message(j_common_ptr cinfo, int level) {
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) fail(cinfo);
}

static void check_scans(j_common_ptr cinfo) {
    j_decompress_ptr decompress = (j_decompress_ptr)cinfo;
    scan_limit *limit = (scan_limit *)cinfo->progress;
    if (decompress->input_scan_number > limit->max_scans) {
        error_manager *errors = (error_manager *)cinfo->err;
        char text[160];
        snprintf(text, sizeof text, "more than %d scans for a %u x %u image", limit->max_scans,
                 decompress->image_width, decompress->image_height);
        report(errors, text);
        longjmp(errors->jump, 1);
    }
}

static int refuse(error_manager *errors, const char *text) {
    report(errors, text);
    return -1;
}

static int decode_protected(struct jpeg_decompress_struct *cinfo, error_manager *errors, scan_limit *limit,
                            const unsigned char *bytes, size_t count, pd_jpeg_image *image) {
    if (setjmp(errors->jump)) return -1;
    jpeg_create_decompress(cinfo);
    cinfo->mem->max_memory_to_use = PD_JPEG_MAX_MEMORY;
    jpeg_mem_src(cinfo, bytes, (unsigned long)count);
    jpeg_read_header(cinfo, TRUE);
    if (cinfo->image_width > PD_JPEG_MAX_SIDE || cinfo->image_height > PD_JPEG_MAX_SIDE) {
        char text[160];
        snprintf(text, sizeof text, "the image is %u x %u; sides beyond %d are not read", cinfo->image_width,
                 cinfo->image_height, PD_JPEG_MAX_SIDE);
        return refuse(errors, text);
    }
    switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE: cinfo->out_color_space = JCS_GRAYSCALE; break;
    case JCS_CMYK:
    case JCS_YCCK: return refuse(errors, "CMYK and YCCK JPEGs are not supported: convert the image to RGB");
    default: cinfo->out_color_space = JCS_RGB; break;
    }
    double blocks = 0;
    for (int index = 0; index < cinfo->num_components; index++) {
        const jpeg_component_info *component = &cinfo->comp_info[index];
        blocks += ((double)cinfo->image_width * component->h_samp_factor / cinfo->max_h_samp_factor / 8 + 1)
            * ((double)cinfo->image_height * component->v_samp_factor / cinfo->max_v_samp_factor / 8 + 1);
    }
    limit->max_scans = blocks * PD_JPEG_MAX_SCANS > PD_JPEG_MAX_BLOCK_VISITS
        ? (int)(PD_JPEG_MAX_BLOCK_VISITS / blocks) + 1 : PD_JPEG_MAX_SCANS;
    cinfo->progress = &limit->base;
    jpeg_start_decompress(cinfo);

    image->width = cinfo->output_width;
    image->height = cinfo->output_height;
    image->channels = cinfo->output_components;
    if (image->channels != 1 && image->channels != 3) return refuse(errors, "unexpected number of components");
    size_t row_bytes = (size_t)image->width * (size_t)image->channels;
    /* Rows are kept in a buffer that grows as they decode, so a short file declaring a large image fails before
       much is allocated. */
    size_t capacity_rows = 0;
    while (cinfo->output_scanline < cinfo->output_height) {
        size_t row = cinfo->output_scanline;
        if (row == capacity_rows) {
            size_t grown = capacity_rows < 64 ? 64 : capacity_rows * 2;
            if (grown > image->height) grown = image->height;
            unsigned char *pixels = realloc(image->pixels, grown * row_bytes);
            if (pixels == NULL) return refuse(errors, "out of memory: image too large");
            image->pixels = pixels;
            capacity_rows = grown;
        }
        JSAMPROW pointer = image->pixels + row * row_bytes;
        jpeg_read_scanlines(cinfo, &pointer, 1);
    }
    return 0;
}

int pd_jpeg_decode(const unsigned char *bytes, size_t count, pd_jpeg_image *image,
                   char *message, size_t message_capacity) {
    if (message_capacity > 0) message[0] = '\0';
    memset(image, 0, sizeof(*image));
    struct jpeg_decompress_struct cinfo;
    memset(&cinfo, 0, sizeof cinfo);
    error_manager errors;
    memset(&errors, 0, sizeof errors);
    cinfo.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = fail;
    errors.base.emit_message = on_message;
    errors.message = message;
    errors.capacity = message_capacity;
    scan_limit limit;
    memset(&limit, 0, sizeof limit);
    limit.base.progress_monitor = check_scans;
    if (count < 3 || bytes[0] != 0xFF || bytes[1] != 0xD8 || bytes[2] != 0xFF) {
        report(&errors, "not a JPEG file: the start-of-image marker FF D8 FF is missing");
        return -1;
    }
    int status = decode_protected(&cinfo, &errors, &limit, bytes, count, image);
    jpeg_destroy_decompress(&cinfo);
    if (status != 0) pd_jpeg_image_free(image);
    return status;
}

void pd_jpeg_image_free(pd_jpeg_image *image) {
    free(image->pixels);
    memset(image, 0, sizeof(*image));
}
