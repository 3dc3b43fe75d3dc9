package dev.gradc.frontend.lang;

import dev.gradc.ir.Role;
import dev.gradc.ir.SourcePos;
import dev.gradc.ir.Type;

/**
 * One {@code param NAME: TYPE} or {@code input NAME: TYPE} line of a program, in declaration order;
 * the function's parameters are these, in this order.
 */
public record Declaration(String name, Role role, Type type, SourcePos pos) {}
