/** The {@code gradc} command: run, inspect, check, compile and bench {@code .grad} programs. */
package dev.gradc.cli;
