package dev.gradc.ir;

/**
 * The orders PyTorch 1.13's CPU kernels leave a lane's positions in, shared by the interpreter and
 * compiled code (copied into generated classes; {@code java.base} only): {@code sort}'s stable
 * sort, {@code topk}'s {@code std::partial_sort} or {@code std::nth_element} (and {@code std::sort}
 * of the first {@code k - 1}) as libstdc++ runs them, and {@code kthvalue}'s quickselect. Among
 * equal values the last two pick by the way they partition, so only the same steps give PyTorch's
 * indices. Keys are longs ordered as the values, NaN the largest and the two zeros equal.
 */
public final class Orders {
  private Orders() {}

  /** libstdc++'s {@code _S_threshold}: below it, {@code std::sort} finishes by insertion. */
  private static final int THRESHOLD = 16;

  /**
   * Writes into {@code out} (stride {@code stride} from {@code base}) the positions of the lane of
   * {@code x} ({@code double[]}, {@code float[]} or {@code long[]}) in the order of {@code kind}
   * ({@link Scans#SORT_INDEX}, {@link Scans#TOPK_INDEX} or {@link Scans#KTH_INDEX}); {@code
   * largest} sorts descending.
   */
  static void lane(
      Object x,
      long[] out,
      int base,
      int stride,
      int size,
      int kind,
      boolean largest,
      int k,
      boolean sorted) {
    long[] keys = new long[size];
    int[] q = new int[size];
    for (int j = 0; j < size; j++) {
      int p = base + j * stride;
      keys[j] =
          x instanceof long[] l ? l[p] : key(x instanceof float[] f ? f[p] : ((double[]) x)[p]);
      q[j] = j;
    }
    if (kind == Scans.SORT_INDEX) {
      mergeSort(keys, q, largest);
    } else if (kind == Scans.KTH_INDEX) {
      quickSelect(keys, q, k - 1);
    } else if (k > 0 && (long) k * 64 <= size) {
      heapSelect(keys, q, largest, 0, k, size);
      sortHeap(keys, q, largest, 0, k);
    } else if (k > 0) {
      nthElement(keys, q, largest, k - 1, size);
      if (sorted) {
        introSort(keys, q, largest, 0, k - 1);
      }
    }
    for (int j = 0; j < size; j++) {
      out[base + j * stride] = q[j];
    }
  }

  /** A key of a float ordered as the values: NaN the largest, {@code -0.0} equal to {@code 0.0}. */
  static long key(double v) {
    if (Double.isNaN(v)) {
      return Long.MAX_VALUE;
    }
    long bits = Double.doubleToLongBits(v == 0 ? 0.0 : v);
    return bits ^ ((bits >> 63) & Long.MAX_VALUE);
  }

  /** {@code a} before {@code b}: the comparators of PyTorch's topk ({@code >} or {@code <}). */
  private static boolean before(long[] keys, boolean largest, int a, int b) {
    return largest ? keys[a] > keys[b] : keys[a] < keys[b];
  }

  /** A stable bottom-up merge sort: an element of the right run goes first only when before. */
  private static void mergeSort(long[] keys, int[] q, boolean largest) {
    int size = q.length;
    int[] tmp = new int[size];
    for (int width = 1; width < size; width *= 2) {
      for (int lo = 0; lo < size - width; lo += 2 * width) {
        int mid = lo + width;
        int hi = Math.min(lo + 2 * width, size);
        int i = lo;
        int j = mid;
        int o = lo;
        while (i < mid && j < hi) {
          tmp[o++] = before(keys, largest, q[j], q[i]) ? q[j++] : q[i++];
        }
        while (i < mid) {
          tmp[o++] = q[i++];
        }
        while (j < hi) {
          tmp[o++] = q[j++];
        }
        System.arraycopy(tmp, lo, q, lo, hi - lo);
      }
    }
  }

  /**
   * PyTorch's {@code quick_select_template} with {@code kthvalue}'s comparator: a median-of-three
   * pivot, Hoare partitioning, until position {@code kk} holds its element.
   */
  private static void quickSelect(long[] keys, int[] q, int kk) {
    int lo = 0;
    int hi = q.length - 1;
    while (hi > lo) {
      if (hi == lo + 1) {
        if (keys[q[lo]] > keys[q[hi]]) {
          swap(q, lo, hi);
        }
        return;
      }
      swap(q, lo + (hi - lo) / 2, lo + 1);
      if (keys[q[lo + 1]] > keys[q[hi]]) {
        swap(q, lo + 1, hi);
      }
      if (keys[q[lo]] > keys[q[hi]]) {
        swap(q, lo, hi);
      }
      if (keys[q[lo + 1]] > keys[q[lo]]) {
        swap(q, lo + 1, lo);
      }
      int i = lo + 1;
      int j = hi;
      long pivot = keys[q[lo]];
      while (true) {
        do {
          i++;
        } while (pivot > keys[q[i]]);
        do {
          j--;
        } while (keys[q[j]] > pivot);
        if (j < i) {
          break;
        }
        swap(q, i, j);
      }
      swap(q, lo, j);
      if (j <= kk) {
        lo = i;
      }
      if (j >= kk) {
        hi = j - 1;
      }
    }
  }

  /** libstdc++'s {@code std::nth_element} ({@code __introselect}). */
  private static void nthElement(long[] keys, int[] q, boolean largest, int nth, int last) {
    int first = 0;
    if (nth == last) {
      return;
    }
    int depth = 2 * log2(last - first);
    while (last - first > 3) {
      if (depth == 0) {
        heapSelect(keys, q, largest, first, nth + 1, last);
        swap(q, first, nth);
        return;
      }
      depth--;
      int cut = partitionPivot(keys, q, largest, first, last);
      if (cut <= nth) {
        first = cut;
      } else {
        last = cut;
      }
    }
    insertionSort(keys, q, largest, first, last);
  }

  /** libstdc++'s {@code std::sort}: introsort down to runs of 16, then insertion sort. */
  private static void introSort(long[] keys, int[] q, boolean largest, int first, int last) {
    if (first == last) {
      return;
    }
    // __introsort_loop's recursion on the right part, as a stack of ranges
    int[] stack = new int[2 * 64 + 4];
    int[] depths = new int[64 + 2];
    stack[0] = first;
    stack[1] = last;
    depths[0] = 2 * log2(last - first);
    int top = 1;
    while (top > 0) {
      top--;
      int f = stack[2 * top];
      int l = stack[2 * top + 1];
      int depth = depths[top];
      while (l - f > THRESHOLD) {
        if (depth == 0) {
          heapSelect(keys, q, largest, f, l, l);
          sortHeap(keys, q, largest, f, l);
          break;
        }
        depth--;
        int cut = partitionPivot(keys, q, largest, f, l);
        stack[2 * top] = cut;
        stack[2 * top + 1] = l;
        depths[top] = depth;
        top++;
        l = cut;
      }
    }
    if (last - first > THRESHOLD) {
      insertionSort(keys, q, largest, first, first + THRESHOLD);
      for (int i = first + THRESHOLD; i < last; i++) {
        linearInsert(keys, q, largest, i);
      }
    } else {
      insertionSort(keys, q, largest, first, last);
    }
  }

  private static int partitionPivot(long[] keys, int[] q, boolean largest, int first, int last) {
    int mid = first + (last - first) / 2;
    medianToFirst(keys, q, largest, first, first + 1, mid, last - 1);
    int lo = first + 1;
    int hi = last;
    while (true) {
      while (before(keys, largest, q[lo], q[first])) {
        lo++;
      }
      hi--;
      while (before(keys, largest, q[first], q[hi])) {
        hi--;
      }
      if (lo >= hi) {
        return lo;
      }
      swap(q, lo, hi);
      lo++;
    }
  }

  private static void medianToFirst(
      long[] keys, int[] q, boolean largest, int result, int a, int b, int c) {
    int m;
    if (before(keys, largest, q[a], q[b])) {
      m = before(keys, largest, q[b], q[c]) ? b : before(keys, largest, q[a], q[c]) ? c : a;
    } else {
      m = before(keys, largest, q[a], q[c]) ? a : before(keys, largest, q[b], q[c]) ? c : b;
    }
    swap(q, result, m);
  }

  private static void insertionSort(long[] keys, int[] q, boolean largest, int first, int last) {
    for (int i = first + 1; i < last; i++) {
      if (before(keys, largest, q[i], q[first])) {
        int v = q[i];
        System.arraycopy(q, first, q, first + 1, i - first);
        q[first] = v;
      } else {
        linearInsert(keys, q, largest, i);
      }
    }
  }

  private static void linearInsert(long[] keys, int[] q, boolean largest, int last) {
    int v = q[last];
    int next = last - 1;
    while (before(keys, largest, v, q[next])) {
      q[last] = q[next];
      last = next;
      next--;
    }
    q[last] = v;
  }

  /** libstdc++'s {@code __heap_select}: the first {@code middle - first} in a max-heap. */
  private static void heapSelect(
      long[] keys, int[] q, boolean largest, int first, int middle, int last) {
    int n = middle - first;
    if (n >= 2) {
      for (int parent = (n - 2) / 2; parent >= 0; parent--) {
        adjustHeap(keys, q, largest, first, parent, n, q[first + parent]);
      }
    }
    for (int i = middle; i < last; i++) {
      if (before(keys, largest, q[i], q[first])) {
        popHeap(keys, q, largest, first, middle, i);
      }
    }
  }

  private static void sortHeap(long[] keys, int[] q, boolean largest, int first, int last) {
    while (last - first > 1) {
      last--;
      popHeap(keys, q, largest, first, last, last);
    }
  }

  private static void popHeap(
      long[] keys, int[] q, boolean largest, int first, int last, int result) {
    int v = q[result];
    q[result] = q[first];
    adjustHeap(keys, q, largest, first, 0, last - first, v);
  }

  private static void adjustHeap(
      long[] keys, int[] q, boolean largest, int first, int hole, int n, int v) {
    int top = hole;
    int child = hole;
    while (child < (n - 1) / 2) {
      child = 2 * (child + 1);
      if (before(keys, largest, q[first + child], q[first + child - 1])) {
        child--;
      }
      q[first + hole] = q[first + child];
      hole = child;
    }
    if ((n & 1) == 0 && child == (n - 2) / 2) {
      child = 2 * (child + 1);
      q[first + hole] = q[first + child - 1];
      hole = child - 1;
    }
    int parent = (hole - 1) / 2;
    while (hole > top && before(keys, largest, q[first + parent], v)) {
      q[first + hole] = q[first + parent];
      hole = parent;
      parent = (hole - 1) / 2;
    }
    q[first + hole] = v;
  }

  private static int log2(int n) {
    return 31 - Integer.numberOfLeadingZeros(n);
  }

  private static void swap(int[] q, int i, int j) {
    int t = q[i];
    q[i] = q[j];
    q[j] = t;
  }
}
