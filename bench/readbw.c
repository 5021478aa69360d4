/*
 * Memory read bandwidth with all threads, independent of ONNX Runtime: the bound decoding is
 * measured against (bench/generation.ts compiles this with the system's C compiler, once, into
 * bench/.cache). Each thread sums its own slice of one buffer far larger than any cache, with
 * 32-byte vector loads into four independent accumulators, so that the loop waits on memory, not
 * on one chain of adds (-O3 -march=native). Prints the best of the passes in bytes per second.
 *
 * Usage: readbw THREADS [MiB] [PASSES]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  const uint64_t *data;
  size_t count;
  uint64_t sum;
  pthread_barrier_t *start;
  pthread_barrier_t *stop;
  int passes;
} slice_t;

/* 32-byte vectors (GCC and Clang's vector extension): one load per vector, four chains of adds. */
typedef uint64_t v4 __attribute__((vector_size(32)));

static uint64_t sum_slice(const uint64_t *a, size_t n) {
  const v4 *v = (const v4 *)a;
  size_t vectors = n / 4;
  v4 s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
  size_t i = 0;
  for (; i + 4 <= vectors; i += 4) {
    s0 += v[i];
    s1 += v[i + 1];
    s2 += v[i + 2];
    s3 += v[i + 3];
  }
  v4 s = s0 + s1 + s2 + s3;
  uint64_t total = s[0] + s[1] + s[2] + s[3];
  for (size_t k = i * 4; k < n; k++) total += a[k];
  return total;
}

static void *worker(void *arg) {
  slice_t *s = (slice_t *)arg;
  for (int p = 0; p < s->passes; p++) {
    pthread_barrier_wait(s->start);
    s->sum += sum_slice(s->data, s->count);
    pthread_barrier_wait(s->stop);
  }
  return NULL;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  size_t mib = argc > 2 ? (size_t)atol(argv[2]) : 1024;
  int passes = argc > 3 ? atoi(argv[3]) : 8;
  if (threads < 1 || mib < 1 || passes < 1) {
    fprintf(stderr, "usage: readbw THREADS [MiB] [PASSES]\n");
    return 2;
  }
  size_t bytes = mib << 20;
  size_t words = bytes / sizeof(uint64_t);
  uint64_t *data = aligned_alloc(64, bytes);
  if (!data) {
    fprintf(stderr, "readbw: cannot allocate %zu MiB\n", mib);
    return 1;
  }
  for (size_t i = 0; i < words; i++) data[i] = i; /* touch every page before timing */
  pthread_barrier_t start, stop;
  pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
  pthread_barrier_init(&stop, NULL, (unsigned)threads + 1);
  pthread_t *ids = calloc((size_t)threads, sizeof(pthread_t));
  slice_t *slices = calloc((size_t)threads, sizeof(slice_t));
  size_t share = words / (size_t)threads;
  for (int t = 0; t < threads; t++) {
    slices[t] = (slice_t){data + (size_t)t * share, t == threads - 1 ? words - (size_t)t * share : share, 0, &start, &stop, passes};
    pthread_create(&ids[t], NULL, worker, &slices[t]);
  }
  double best = 1e30;
  for (int p = 0; p < passes; p++) {
    pthread_barrier_wait(&start);
    double t0 = now_s();
    pthread_barrier_wait(&stop);
    double dt = now_s() - t0;
    if (p > 0 && dt < best) best = dt; /* the first pass warms up */
  }
  uint64_t total = 0;
  for (int t = 0; t < threads; t++) {
    pthread_join(ids[t], NULL);
    total += slices[t].sum;
  }
  /* The sum is printed so that the compiler cannot drop the loads. */
  printf("%.0f %llu\n", (double)bytes / best, (unsigned long long)total);
  free(slices);
  free(ids);
  free(data);
  return 0;
}
