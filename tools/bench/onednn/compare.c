// oneDNN (Debian's libdnnl 2.6.3) on the benchmark zoo's losing shapes, for issue 14's question
// whether specrun should call it: convolution forward, backward data and backward weights, and
// inner product (linear) forward and both backward passes, each timed as the primitive alone on
// oneDNN's preferred layouts and with the reorders from and to specrun's plain layouts (NCHW,
// OIHW, NC, OI). Fastest of 5 x 20 runs. Not part of the build or of CI:
//
//     apt-get install libdnnl-dev && gcc -O2 tools/bench/onednn/compare.c -o /tmp/onednn-compare -ldnnl
//     OMP_NUM_THREADS=1 /tmp/onednn-compare                           # its own choice of kernels
//     OMP_NUM_THREADS=1 ONEDNN_MAX_CPU_ISA=AVX2 /tmp/onednn-compare    # as on an AVX2 machine
//
// Compare with `SPECRUN_THREADS=1 kernelbench conv` and `kernelbench gemm` (tools/bench/kernels).
#include <dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(x) do { dnnl_status_t s_ = (x); if (s_ != dnnl_success) { fprintf(stderr, "%s:%d %s -> %d\n", __FILE__, __LINE__, #x, s_); exit(1); } } while (0)

static dnnl_engine_t eng;
static dnnl_stream_t st;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }

typedef struct { dnnl_primitive_t p; int n; dnnl_exec_arg_t args[6]; } step_t;

static double time_steps(step_t *steps, int count) {
    double best = 1e9;  // the fastest of 5 x 20 runs: the machine is shared
    for (int round = 0; round < 5; round++) {
        double t[20];
        for (int r = -3; r < 20; r++) {
            double t0 = now();
            for (int i = 0; i < count; i++) CHECK(dnnl_primitive_execute(steps[i].p, st, steps[i].n, steps[i].args));
            CHECK(dnnl_stream_wait(st));
            if (r >= 0) t[r] = (now() - t0) * 1e3;
        }
        qsort(t, 20, sizeof(double), cmp);
        if (t[0] < best) best = t[0];
    }
    return best;
}

static dnnl_memory_t make(const dnnl_memory_desc_t *md) {
    dnnl_memory_t m; CHECK(dnnl_memory_create(&m, md, eng, DNNL_MEMORY_ALLOCATE));
    void *p; CHECK(dnnl_memory_get_data_handle(m, &p));
    size_t n = dnnl_memory_desc_get_size(md) / sizeof(float);
    for (size_t i = 0; i < n; i++) ((float *)p)[i] = (float)rand() / RAND_MAX - 0.5f;
    return m;
}

static const dnnl_memory_desc_t *md_of(dnnl_memory_t m) { const dnnl_memory_desc_t *md; CHECK(dnnl_memory_get_memory_desc(m, &md)); return md; }

/// A reorder step from -> to, or none (returns 0) when the layouts are equal.
static int reorder(dnnl_memory_t from, dnnl_memory_t to, step_t *out) {
    if (dnnl_memory_desc_equal(md_of(from), md_of(to))) return 0;
    dnnl_primitive_desc_t pd;
    CHECK(dnnl_reorder_primitive_desc_create(&pd, md_of(from), eng, md_of(to), eng, NULL));
    CHECK(dnnl_primitive_create(&out->p, pd));
    out->n = 2;
    out->args[0] = (dnnl_exec_arg_t){DNNL_ARG_FROM, from};
    out->args[1] = (dnnl_exec_arg_t){DNNL_ARG_TO, to};
    return 1;
}

static dnnl_memory_t like(dnnl_primitive_desc_t pd, dnnl_query_t what) {
    return make(dnnl_primitive_desc_query_md(pd, what, 0));
}

/// An operand of a pass: its argument, its memory in specrun's layout, and the query for the
/// layout the primitive wants (0: used as it is, as a bias).
typedef struct { int arg; dnnl_memory_t user; dnnl_query_t query; } operand_t;

/// Times a pass of `pd`: the inputs reordered into its layouts, the primitive, the output reordered
/// back. Returns the whole, and the primitive alone in *alone.
static double time_pass(dnnl_primitive_desc_t pd, const operand_t *inputs, int count, operand_t output, double *alone) {
    step_t steps[8]; int m = 0;
    dnnl_primitive_t p; CHECK(dnnl_primitive_create(&p, pd));
    step_t core = {p, 0, {{0}}};
    for (int i = 0; i < count; i++) {
        dnnl_memory_t mem = inputs[i].user;
        if (inputs[i].query) { mem = like(pd, inputs[i].query); m += reorder(inputs[i].user, mem, &steps[m]); }
        core.args[core.n++] = (dnnl_exec_arg_t){inputs[i].arg, mem};
    }
    dnnl_memory_t out = like(pd, output.query);
    core.args[core.n++] = (dnnl_exec_arg_t){output.arg, out};
    steps[m++] = core;
    m += reorder(out, output.user, &steps[m]);
    *alone = time_steps(&core, 1);
    return time_steps(steps, m);
}

/// Forward, backward data and backward weights of one layer whose descriptors are given.
static void time_layer(const char *name, double gflop, dnnl_primitive_desc_t fpd, dnnl_primitive_desc_t bdpd,
                       dnnl_primitive_desc_t bwpd, dnnl_memory_t src, dnnl_memory_t w, dnnl_memory_t b, dnnl_memory_t dst) {
    const dnnl_memory_desc_t *src_md = md_of(src), *w_md = md_of(w), *dst_md = md_of(dst);
    dnnl_memory_t ddst = make(dst_md), dsrc = make(src_md), dw = make(w_md), db = make(md_of(b));
    double f_alone, d_alone, w_alone;
    const operand_t fin[] = {{DNNL_ARG_SRC, src, dnnl_query_src_md}, {DNNL_ARG_WEIGHTS, w, dnnl_query_weights_md}, {DNNL_ARG_BIAS, b, 0}};
    double f = time_pass(fpd, fin, 3, (operand_t){DNNL_ARG_DST, dst, dnnl_query_dst_md}, &f_alone);
    const operand_t din[] = {{DNNL_ARG_DIFF_DST, ddst, dnnl_query_diff_dst_md}, {DNNL_ARG_WEIGHTS, w, dnnl_query_weights_md}};
    double d = time_pass(bdpd, din, 2, (operand_t){DNNL_ARG_DIFF_SRC, dsrc, dnnl_query_diff_src_md}, &d_alone);
    // The bias gradient is an output too; it is plain already, so it is passed as an operand.
    const operand_t win[] = {{DNNL_ARG_SRC, src, dnnl_query_src_md}, {DNNL_ARG_DIFF_DST, ddst, dnnl_query_diff_dst_md},
                             {DNNL_ARG_DIFF_BIAS, db, 0}};
    double wt = time_pass(bwpd, win, 3, (operand_t){DNNL_ARG_DIFF_WEIGHTS, dw, dnnl_query_diff_weights_md}, &w_alone);
    const char *impl[3];
    CHECK(dnnl_primitive_desc_query(fpd, dnnl_query_impl_info_str, 0, &impl[0]));
    CHECK(dnnl_primitive_desc_query(bdpd, dnnl_query_impl_info_str, 0, &impl[1]));
    CHECK(dnnl_primitive_desc_query(bwpd, dnnl_query_impl_info_str, 0, &impl[2]));
    printf("%s: forward %.3f ms (%.3f alone) [%s], backward data %.3f (%.3f) [%s], backward weights %.3f (%.3f) [%s]; %.0f GFLOP/s overall\n",
           name, f, f_alone, impl[0], d, d_alone, impl[1], wt, w_alone, impl[2], 3 * gflop / (f + d + wt));
}

/// A memory descriptor in a given layout (or `dnnl_format_tag_any`, the primitive's choice).
static dnnl_memory_desc_t desc(int rank, const dnnl_dims_t dims, dnnl_format_tag_t tag) {
    dnnl_memory_desc_t md; CHECK(dnnl_memory_desc_init_by_tag(&md, rank, dims, dnnl_f32, tag)); return md;
}

static void conv(int n, int c, int h, int o, int k, int pad) {
    int oh = h + 2 * pad - k + 1;
    dnnl_dims_t sd = {n, c, h, h}, wd = {o, c, k, k}, bd = {o}, dd = {n, o, oh, oh}, strides = {1, 1}, pads = {pad, pad};
    dnnl_memory_desc_t src_a = desc(4, sd, dnnl_format_tag_any), w_a = desc(4, wd, dnnl_format_tag_any);
    dnnl_memory_desc_t dst_a = desc(4, dd, dnnl_format_tag_any), b_md = desc(1, bd, dnnl_x);
    dnnl_memory_desc_t src_u = desc(4, sd, dnnl_nchw), w_u = desc(4, wd, dnnl_oihw), dst_u = desc(4, dd, dnnl_nchw);
    dnnl_convolution_desc_t fd, bdd, bwd;
    dnnl_primitive_desc_t fpd, bdpd, bwpd;
    CHECK(dnnl_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_auto, &src_a, &w_a, &b_md, &dst_a, strides, pads, pads));
    CHECK(dnnl_primitive_desc_create(&fpd, &fd, NULL, eng, NULL));
    CHECK(dnnl_convolution_backward_data_desc_init(&bdd, dnnl_convolution_auto, &src_a, &w_a, &dst_a, strides, pads, pads));
    CHECK(dnnl_primitive_desc_create(&bdpd, &bdd, NULL, eng, fpd));
    CHECK(dnnl_convolution_backward_weights_desc_init(&bwd, dnnl_convolution_auto, &src_a, &w_a, &b_md, &dst_a, strides, pads, pads));
    CHECK(dnnl_primitive_desc_create(&bwpd, &bwd, NULL, eng, fpd));
    char name[96];
    snprintf(name, sizeof name, "conv %d->%d %dx%d k%d n%d", c, o, h, h, k, n);
    time_layer(name, 2.0 * n * o * oh * oh * c * k * k / 1e6, fpd, bdpd, bwpd, make(&src_u), make(&w_u), make(&b_md), make(&dst_u));
}

static void linear(int n, int in, int out) {
    dnnl_dims_t sd = {n, in}, wd = {out, in}, bd = {out}, dd = {n, out};
    dnnl_memory_desc_t src_a = desc(2, sd, dnnl_format_tag_any), w_a = desc(2, wd, dnnl_format_tag_any);
    dnnl_memory_desc_t dst_a = desc(2, dd, dnnl_format_tag_any), b_md = desc(1, bd, dnnl_x);
    dnnl_memory_desc_t src_u = desc(2, sd, dnnl_nc), w_u = desc(2, wd, dnnl_oi), dst_u = desc(2, dd, dnnl_nc);
    dnnl_inner_product_desc_t fd, bdd, bwd;
    dnnl_primitive_desc_t fpd, bdpd, bwpd;
    CHECK(dnnl_inner_product_forward_desc_init(&fd, dnnl_forward_training, &src_a, &w_a, &b_md, &dst_a));
    CHECK(dnnl_primitive_desc_create(&fpd, &fd, NULL, eng, NULL));
    CHECK(dnnl_inner_product_backward_data_desc_init(&bdd, &src_a, &w_a, &dst_a));
    CHECK(dnnl_primitive_desc_create(&bdpd, &bdd, NULL, eng, fpd));
    CHECK(dnnl_inner_product_backward_weights_desc_init(&bwd, &src_a, &w_a, &b_md, &dst_a));
    CHECK(dnnl_primitive_desc_create(&bwpd, &bwd, NULL, eng, fpd));
    char name[96];
    snprintf(name, sizeof name, "linear %d x %d -> %d", n, in, out);
    time_layer(name, 2.0 * n * in * out / 1e6, fpd, bdpd, bwpd, make(&src_u), make(&w_u), make(&b_md), make(&dst_u));
}

int main(int argc, char **argv) {
    CHECK(dnnl_engine_create(&eng, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&st, eng, dnnl_stream_default_flags));
    conv(64, 32, 16, 64, 3, 1);
    conv(64, 64, 8, 128, 3, 1);
    conv(64, 3, 32, 32, 3, 1);
    conv(64, 6, 14, 16, 5, 0);
    linear(128, 784, 1024);
    linear(128, 1024, 1024);
    linear(256, 512, 512);
    linear(256, 1024, 1024);
    linear(64, 2048, 256);
    return 0;
}
