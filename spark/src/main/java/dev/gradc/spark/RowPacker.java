package dev.gradc.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Packs rows into {@link Block}s of at most {@code blockRows} rows, in order: row {@code r} of a
 * block holds input j's values at {@code [r * size_j, (r + 1) * size_j)} of column j. The rows'
 * values come from a {@link Reader}, so a Spark {@code Row} and a Java array pack alike.
 */
public final class RowPacker {
  /** Writes one row's values of each input into the block's columns (shipped to executors). */
  public interface Reader<T> extends Serializable {
    /** Writes input {@code j}'s {@code size} values of {@code row} to {@code dst[offset..]}. */
    void read(T row, int j, double[] dst, int offset, int size);
  }

  private RowPacker() {}

  /** The blocks of {@code rows}, lazily, each of {@code blockRows} rows but the last. */
  public static <T> Iterator<Block> pack(
      Iterator<T> rows, int[] sizes, int blockRows, Reader<T> reader) {
    if (blockRows < 1) {
      throw new IllegalArgumentException("blocks of at least one row, not " + blockRows);
    }
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Block next() {
        if (!rows.hasNext()) {
          throw new NoSuchElementException();
        }
        double[][] columns = new double[sizes.length][];
        for (int j = 0; j < sizes.length; j++) {
          columns[j] = new double[blockRows * sizes[j]];
        }
        int r = 0;
        while (r < blockRows && rows.hasNext()) {
          T row = rows.next();
          for (int j = 0; j < sizes.length; j++) {
            reader.read(row, j, columns[j], r * sizes[j], sizes[j]);
          }
          r++;
        }
        if (r < blockRows) {
          for (int j = 0; j < sizes.length; j++) {
            columns[j] = Arrays.copyOf(columns[j], r * sizes[j]);
          }
        }
        return new Block(r, columns);
      }
    };
  }

  /** All the blocks of {@code rows}, as a list. */
  public static <T> List<Block> packAll(
      Iterator<T> rows, int[] sizes, int blockRows, Reader<T> reader) {
    List<Block> out = new ArrayList<>();
    pack(rows, sizes, blockRows, reader).forEachRemaining(out::add);
    return out;
  }

  /** Reads rows given as one {@code double[]} per input. */
  public static final Reader<double[][]> ARRAYS =
      (row, j, dst, offset, size) -> {
        if (row[j].length != size) {
          throw new IllegalArgumentException(
              "input " + j + " has " + size + " values per row, got " + row[j].length);
        }
        System.arraycopy(row[j], 0, dst, offset, size);
      };
}
