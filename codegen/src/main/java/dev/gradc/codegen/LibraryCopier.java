package dev.gradc.codegen;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.commons.MethodRemapper;
import org.objectweb.asm.commons.Remapper;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Copies static methods of plain Java classes (ScalarMath's helpers, MathF64's functions, the
 * routines in {@code dev.gradc.codegen.lib}) into a generated class, with the methods they call, so
 * that generated classes reference nothing but {@code java.base}. A copied method may use its
 * arguments, locals, constants, {@code java.*} classes and static methods of gradc's classes (which
 * are copied too; every copied method needs a name and descriptor of its own); not fields.
 */
final class LibraryCopier {
  private final String owner;

  /** The access of the copies: private, or public for a companion class others call into. */
  private final int access;

  /** "name desc" of methods the generated class defines itself: calls go to those, uncopied. */
  private final java.util.Set<String> provided = new java.util.HashSet<>();

  /** Wanted methods as "class internal name.name desc", in first-request order. */
  private final Map<String, Class<?>> wanted = new LinkedHashMap<>();

  LibraryCopier(String owner) {
    this(owner, Opcodes.ACC_PRIVATE);
  }

  LibraryCopier(String owner, int access) {
    this.owner = owner;
    this.access = access;
  }

  /**
   * Declares that the generated class defines {@code name desc} itself: library methods calling a
   * method of that name and descriptor call the class's own, and the library's is not copied.
   */
  void provide(String name, String desc) {
    provided.add(name + desc);
  }

  void require(Class<?> cls, String name, String desc) {
    wanted.putIfAbsent(key(cls, name, desc), cls);
  }

  private static String key(Class<?> cls, String name, String desc) {
    return org.objectweb.asm.Type.getInternalName(cls) + "." + name + desc;
  }

  private static boolean isLibrary(String internalName) {
    return internalName.startsWith("dev/gradc/");
  }

  /** The library class {@code internalName}, loaded but not linked. */
  static Class<?> load(String internalName) {
    try {
      return Class.forName(
          internalName.replace('/', '.'), false, LibraryCopier.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("library class " + internalName + " is missing", e);
    }
  }

  /**
   * Writes every requested method, and the methods they call, into {@code cv}. A class that copies
   * nothing (most kernels) does not load the parsing and remapping classes that copying needs.
   */
  void emitInto(ClassVisitor cv) {
    if (!wanted.isEmpty()) {
      Copying.emit(this, cv);
    }
  }

  /** The copying itself: ASM's tree and remapping classes load with this class, when needed. */
  private static final class Copying {
    private static final Map<Class<?>, ClassNode> PARSED = new ConcurrentHashMap<>();

    private Copying() {}

    private static ClassNode parse(Class<?> cls) {
      return PARSED.computeIfAbsent(
          cls,
          c -> {
            String res = c.getSimpleName() + ".class";
            try (InputStream in = c.getResourceAsStream(res)) {
              if (in == null) {
                throw new IllegalStateException("cannot read the bytecode of " + c.getName());
              }
              ClassNode node = new ClassNode();
              new ClassReader(in).accept(node, ClassReader.SKIP_FRAMES);
              return node;
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }

    private static MethodNode find(ClassNode node, String name, String desc) {
      for (MethodNode m : node.methods) {
        if (m.name.equals(name) && m.desc.equals(desc)) {
          return m;
        }
      }
      throw new IllegalStateException("no method " + node.name + "." + name + desc);
    }

    static void emit(LibraryCopier copier, ClassVisitor cv) {
      // Every library class becomes the generated class: the copies call each other there.
      Remapper toOwner =
          new Remapper(Opcodes.ASM9) {
            @Override
            public String map(String internalName) {
              return isLibrary(internalName) ? copier.owner : internalName;
            }
          };
      Deque<String> work = new ArrayDeque<>(copier.wanted.keySet());
      Map<String, Class<?>> all = new LinkedHashMap<>(copier.wanted);
      java.util.Set<String> done = new java.util.HashSet<>();
      java.util.Set<String> names = new java.util.HashSet<>();
      while (!work.isEmpty()) {
        String k = work.poll();
        if (!done.add(k)) {
          continue;
        }
        Class<?> cls = all.get(k);
        ClassNode node = parse(cls);
        String nameDesc = k.substring(k.indexOf('.') + 1);
        int paren = nameDesc.indexOf('(');
        if (copier.provided.contains(nameDesc)) {
          continue;
        }
        MethodNode m = find(node, nameDesc.substring(0, paren), nameDesc.substring(paren));
        if (!names.add(m.name + m.desc)) {
          throw new IllegalStateException("two library methods named " + m.name + m.desc);
        }
        for (AbstractInsnNode insn : m.instructions) {
          if (insn instanceof FieldInsnNode fi && isLibrary(fi.owner)) {
            throw new IllegalStateException(
                node.name + "." + m.name + " reads a field and cannot be copied");
          }
          if (insn instanceof MethodInsnNode mi && isLibrary(mi.owner)) {
            String callee = mi.owner + "." + mi.name + mi.desc;
            all.putIfAbsent(callee, mi.owner.equals(node.name) ? cls : load(mi.owner));
            work.add(callee);
          }
        }
        MethodVisitor mv =
            cv.visitMethod(
                copier.access | Opcodes.ACC_STATIC,
                m.name,
                m.desc,
                null,
                m.exceptions.toArray(new String[0]));
        // The parsed trees are shared, and visiting one resets and recreates its labels: one
        // thread at a time may copy a method.
        synchronized (m) {
          m.accept(new MethodRemapper(mv, toOwner));
        }
      }
    }
  }
}
