package dev.gradc.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes {@code .npy} files (format 1.0, little-endian, C order) as {@code numpy.save} does. */
final class NpyWriter {
  private NpyWriter() {}

  /** The header of an array: magic, version 1.0, the padded dict, ending with a newline. */
  static byte[] header(String descr, int... shape) {
    StringBuilder dims = new StringBuilder();
    for (int d : shape) {
      dims.append(d).append(", ");
    }
    if (shape.length > 1) {
      dims.setLength(dims.length() - 1);
    }
    String dict =
        "{'descr': '"
            + descr
            + "', 'fortran_order': False, 'shape': ("
            + dims.toString().strip()
            + "), }";
    int total = 10 + dict.length() + 1;
    String padded = dict + " ".repeat((64 - total % 64) % 64) + "\n";
    ByteBuffer b = ByteBuffer.allocate(10 + padded.length()).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    b.putShort((short) padded.length());
    b.put(padded.getBytes(StandardCharsets.ISO_8859_1));
    return b.array();
  }

  static void f8(Path file, double[] data, int... shape) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(header("<f8", shape));
      ByteBuffer b = ByteBuffer.allocate(8 * data.length).order(ByteOrder.LITTLE_ENDIAN);
      b.asDoubleBuffer().put(data);
      out.write(b.array());
    }
  }
}
