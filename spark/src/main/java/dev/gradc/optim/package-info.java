/**
 * Optimizers over a flat parameter vector, with or without Spark: full-batch {@link
 * dev.gradc.optim.GradientDescent} and {@link dev.gradc.optim.Lbfgs} over a {@link
 * dev.gradc.optim.DifferentiableFunction}, mini-batch {@link dev.gradc.optim.Sgd} and {@link
 * dev.gradc.optim.Adam} over a {@link dev.gradc.optim.StochasticFunction}. Each reports every
 * iteration's loss and gradient norm to an {@link dev.gradc.optim.IterationListener}.
 */
package dev.gradc.optim;
