/*
 * A plain matrix-vector product over a decoder's weight matrices, to set beside ONNX Runtime's on
 * the same shapes (bench/generation.ts, graph table): what a kernel made for one-row products
 * reads per second, i.e. how much of the gap between ONNX Runtime's layer products and the
 * memory bound is the kernel's. Not used by Inkwell itself.
 *
 * Each matrix is pre-packed for y = x·W (see rows()), its outputs split evenly between the threads
 * in whole panels, with 8-wide vectors (compiled -O3 -march=native, so multiply-adds are fused
 * where the CPU can). The threads stay
 * alive and hand each matrix over by spinning on a counter, the cheapest hand-over there is, so
 * the number is a ceiling for such a kernel, not what a sleeping thread pool would get.
 *
 * Usage: gemv THREADS PASSES K:N [K:N ...]   (one pass = every matrix once, in order)
 * Prints: the median and the best seconds per pass, and the bytes one pass reads.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
  int k, n;
  float *w;
  float *y;
} matrix_t;

static matrix_t *matrices;
static int count;
static float *x;
static int threads;
/* Hand-over: the main thread bumps `round` with `current` set; workers bump `done`. */
static atomic_int round_no;
static atomic_int done;
static atomic_int current;

/* 8 floats (GCC and Clang's vector extension; a 32-byte load, an 8-wide multiply-add). */
typedef float v8 __attribute__((vector_size(32)));

static inline v8 load8(const float *p) {
  v8 v;
  __builtin_memcpy(&v, p, sizeof v); /* unaligned load */
  return v;
}

/*
 * Rows [from, to) of y = W·x (from a multiple of 8). The weight is packed in panels of 8 rows
 * stored k-major (panel[8k + j] = W[8p + j][k]), so a thread reads one contiguous stream; four
 * independent sums over k keep the loop waiting on memory rather than on one chain of adds.
 */
static void rows(const matrix_t *m, int from, int to) {
  for (int r = from; r < to; r += 8) {
    const float *p = m->w + (size_t)r * (size_t)m->k;
    v8 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    int k = 0;
    for (; k + 4 <= m->k; k += 4) {
      a0 += load8(p + 8 * k) * x[k];
      a1 += load8(p + 8 * k + 8) * x[k + 1];
      a2 += load8(p + 8 * k + 16) * x[k + 2];
      a3 += load8(p + 8 * k + 24) * x[k + 3];
    }
    for (; k < m->k; k++) a0 += load8(p + 8 * k) * x[k];
    v8 a = a0 + a1 + a2 + a3;
    for (int j = 0; j < 8 && r + j < m->n; j++) m->y[r + j] = a[j];
  }
}

static void share(int index, int t) {
  const matrix_t *m = &matrices[index];
  int per = ((m->n + threads - 1) / threads + 7) & ~7; /* whole panels */
  int from = t * per, to = from + per > m->n ? m->n : from + per;
  if (from < to) rows(m, from, to);
}

static void *worker(void *arg) {
  int t = (int)(intptr_t)arg;
  int seen = 0;
  for (;;) {
    while (atomic_load_explicit(&round_no, memory_order_acquire) == seen) {
    }
    seen++;
    int index = atomic_load(&current);
    if (index < 0) return NULL;
    share(index, t);
    atomic_fetch_add_explicit(&done, 1, memory_order_release);
  }
}

static void product(int index) {
  atomic_store(&done, 0);
  atomic_store(&current, index);
  atomic_fetch_add_explicit(&round_no, 1, memory_order_release);
  share(index, 0);
  while (atomic_load_explicit(&done, memory_order_acquire) < threads - 1) {
  }
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int compare(const void *a, const void *b) {
  double d = *(const double *)a - *(const double *)b;
  return d < 0 ? -1 : d > 0;
}

int main(int argc, char **argv) {
  threads = argc > 1 ? atoi(argv[1]) : 0;
  int passes = argc > 2 ? atoi(argv[2]) : 0;
  count = argc - 3;
  if (threads < 1 || threads > 64 || passes < 1 || count < 1) {
    fprintf(stderr, "usage: gemv THREADS PASSES K:N [K:N ...]\n");
    return 2;
  }
  matrices = calloc((size_t)count, sizeof(matrix_t));
  int widest = 0;
  size_t bytes = 0;
  for (int i = 0; i < count; i++) {
    matrix_t *m = &matrices[i];
    if (sscanf(argv[3 + i], "%d:%d", &m->k, &m->n) != 2 || m->k < 1 || m->n < 1) {
      fprintf(stderr, "gemv: bad shape %s (K:N)\n", argv[3 + i]);
      return 2;
    }
    size_t elements = (size_t)m->k * (size_t)((m->n + 7) & ~7); /* the last panel padded */
    m->w = aligned_alloc(64, (elements * sizeof(float) + 63) & ~(size_t)63);
    m->y = calloc((size_t)m->n, sizeof(float));
    if (!m->w || !m->y) {
      fprintf(stderr, "gemv: cannot allocate %s\n", argv[3 + i]);
      return 1;
    }
    for (size_t e = 0; e < elements; e++) m->w[e] = (float)((e * 2654435761u) % 1000) / 1000.0f - 0.5f; /* touches every page */
    bytes += (size_t)m->k * (size_t)m->n * sizeof(float); /* the weight's own bytes, as ONNX Runtime's product reads */
    if (m->k > widest) widest = m->k;
  }
  x = malloc((size_t)widest * sizeof(float));
  for (int i = 0; i < widest; i++) x[i] = 1.0f / (float)(i + 1);
  pthread_t *ids = calloc((size_t)threads, sizeof(pthread_t));
  for (int t = 1; t < threads; t++) pthread_create(&ids[t], NULL, worker, (void *)(intptr_t)t);
  double *seconds = calloc((size_t)passes, sizeof(double));
  for (int p = -2; p < passes; p++) { /* two passes warm up */
    double t0 = now_s();
    for (int i = 0; i < count; i++) product(i);
    if (p >= 0) seconds[p] = now_s() - t0;
  }
  atomic_store(&current, -1);
  atomic_fetch_add(&round_no, 1);
  for (int t = 1; t < threads; t++) pthread_join(ids[t], NULL);
  qsort(seconds, (size_t)passes, sizeof(double), compare);
  /* One output is printed so that the compiler cannot drop the products. */
  printf("%.9f %.9f %zu %g\n", seconds[passes / 2], seconds[0], bytes, (double)matrices[0].y[0]);
  return 0;
}
