package dev.gradc;

/**
 * PyTorch's {@code torch.std_mean}: the standard deviation and the mean over the same dims, as
 * {@link Tensor#stdMean()} returns them; both record {@code StdMeanBackward0}.
 *
 * @param std the standard deviation
 * @param mean the mean
 */
public record StdMean(Tensor std, Tensor mean) {}
