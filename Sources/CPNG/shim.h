#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

/*
 * Why there is C here at all: libpng reports an error by calling an error function that must not
 * return, and the only way out is longjmp to a setjmp target. Swift cannot call setjmp, and a
 * longjmp across Swift frames is undefined behaviour. So every libpng call that can fail runs
 * inside one of the cpng_* functions below, each of which sets the jump target in its own frame:
 * an error unwinds only libpng's frames and that function's, which then returns -1 with libpng's
 * message in `message`. Reading and writing go through memory callbacks written here in C for the
 * same reason (a Swift callback would sit between libpng and the jump target). Everything else
 * (allocation, channel conversion, files) is Swift, in DataPipeline/PNG*.swift.
 */

enum { CPNG_MESSAGE_SIZE = 160 };

/* Error and warning handlers. The error pointer is the caller's `message` buffer. */
static inline void cpng_fail(png_structp png, png_const_charp text) {
    char *message = (char *)png_get_error_ptr(png);
    strncpy(message, text, CPNG_MESSAGE_SIZE - 1);
    message[CPNG_MESSAGE_SIZE - 1] = 0;
    png_longjmp(png, 1);
}

static inline void cpng_ignore_warning(png_structp png, png_const_charp text) {
    (void)png; (void)text;  /* benign problems (e.g. a bad sRGB profile): PIL ignores them too */
}

/* ---- decoding: a whole file held in memory by the caller ---- */

typedef struct {
    const unsigned char *data;
    size_t size, offset;
    png_structp png;
    png_infop info;
    char message[CPNG_MESSAGE_SIZE];
    /* Set by cpng_decode_begin: the decoded size, and 1..4 channels (grey, grey+alpha, RGB, RGBA)
       of 8 bits each. */
    unsigned int width, height, channels;
} cpng_decoder;

static inline void cpng_read_memory(png_structp png, png_bytep out, size_t count) {
    cpng_decoder *d = (cpng_decoder *)png_get_io_ptr(png);
    if (count > d->size - d->offset) png_error(png, "file is truncated");
    memcpy(out, d->data + d->offset, count);
    d->offset += count;
}

/* Reads the header and sets the transformations; 0 on success. Call cpng_decode_end afterwards
   whatever this returns. */
static inline int cpng_decode_begin(cpng_decoder *d) {
    d->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, d->message, cpng_fail, cpng_ignore_warning);
    if (!d->png) { strcpy(d->message, "out of memory"); return -1; }
    d->info = png_create_info_struct(d->png);
    if (!d->info) { strcpy(d->message, "out of memory"); return -1; }
    if (setjmp(png_jmpbuf(d->png))) return -1;
    png_set_read_fn(d->png, d, cpng_read_memory);
    png_set_user_limits(d->png, 1u << 15, 1u << 15);  /* a corrupt header must not ask for gigabytes */
    png_read_info(d->png, d->info);
    png_set_expand(d->png);            /* palette -> RGB, 1/2/4-bit grey -> 8 bits, tRNS -> alpha */
    png_set_strip_16(d->png);          /* 16 -> 8 bits by the high byte, as PIL reads 16-bit colour */
    png_set_interlace_handling(d->png);
    png_read_update_info(d->png, d->info);
    d->width = png_get_image_width(d->png, d->info);
    d->height = png_get_image_height(d->png, d->info);
    d->channels = png_get_channels(d->png, d->info);
    return 0;
}

/* Decodes the pixels into `rows` (height pointers to width * channels bytes each); 0 on success. */
static inline int cpng_decode_rows(cpng_decoder *d, png_bytepp rows) {
    if (setjmp(png_jmpbuf(d->png))) return -1;
    png_read_image(d->png, rows);
    png_read_end(d->png, NULL);        /* checks the trailing chunks: catches a truncated tail */
    return 0;
}

static inline void cpng_decode_end(cpng_decoder *d) {
    if (d->png) png_destroy_read_struct(&d->png, d->info ? &d->info : NULL, NULL);
}

/* ---- encoding into a growing malloc'd buffer ---- */

typedef struct {
    unsigned char *data;               /* free()d by cpng_encode_end */
    size_t size, capacity;
    png_structp png;
    png_infop info;
    char message[CPNG_MESSAGE_SIZE];
} cpng_encoder;

static inline void cpng_write_memory(png_structp png, png_bytep bytes, size_t count) {
    cpng_encoder *e = (cpng_encoder *)png_get_io_ptr(png);
    if (count > e->capacity - e->size) {
        size_t capacity = e->capacity ? e->capacity : 4096;
        while (capacity - e->size < count) capacity *= 2;
        unsigned char *grown = (unsigned char *)realloc(e->data, capacity);
        if (!grown) png_error(png, "out of memory");
        e->data = grown;
        e->capacity = capacity;
    }
    memcpy(e->data + e->size, bytes, count);
    e->size += count;
}

static inline void cpng_flush_nothing(png_structp png) { (void)png; }

/* Encodes `rows` (one byte per sample; for bit_depth < 8 each byte holds one pixel's value in
   0..<2^bit_depth and libpng packs them); 0 on success. Call cpng_encode_end afterwards. */
static inline int cpng_encode(cpng_encoder *e, png_bytepp rows, unsigned int width, unsigned int height,
                              int bit_depth, int color_type) {
    e->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, e->message, cpng_fail, cpng_ignore_warning);
    if (!e->png) { strcpy(e->message, "out of memory"); return -1; }
    e->info = png_create_info_struct(e->png);
    if (!e->info) { strcpy(e->message, "out of memory"); return -1; }
    if (setjmp(png_jmpbuf(e->png))) return -1;
    png_set_write_fn(e->png, e, cpng_write_memory, cpng_flush_nothing);
    png_set_IHDR(e->png, e->info, width, height, bit_depth, color_type, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(e->png, e->info);
    if (bit_depth < 8) png_set_packing(e->png);
    png_write_image(e->png, rows);
    png_write_end(e->png, NULL);
    return 0;
}

static inline void cpng_encode_end(cpng_encoder *e) {
    if (e->png) png_destroy_write_struct(&e->png, e->info ? &e->info : NULL);
    free(e->data);
    e->data = NULL;
}
