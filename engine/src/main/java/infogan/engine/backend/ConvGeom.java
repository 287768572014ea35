package infogan.engine.backend;

/**
 * The sizes of one 2-d convolution, NCHW, cross-correlation with zero padding:
 * x (n, c, h, w) * weight (oc, c, kh, kw) → y (n, oc, oh, ow) with
 * oh = (h + 2·pad − kh) / stride + 1, ow likewise.
 * A transposed convolution uses the same geometry with x and y swapped (its input is y's shape).
 */
public record ConvGeom(int n, int c, int h, int w, int oc, int kh, int kw, int stride, int pad, int oh, int ow) {

    public ConvGeom {
        if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || oc <= 0 || kh <= 0 || kw <= 0 || stride <= 0 || pad < 0)
            throw new IllegalArgumentException("bad convolution geometry " + this);
        if (oh != (h + 2 * pad - kh) / stride + 1 || ow != (w + 2 * pad - kw) / stride + 1 || oh <= 0 || ow <= 0)
            throw new IllegalArgumentException("convolution output " + oh + "x" + ow + " does not follow from " + this);
    }

    /** Geometry of a convolution of x (n,c,h,w) by oc filters kh×kw. */
    public static ConvGeom of(int n, int c, int h, int w, int oc, int kh, int kw, int stride, int pad) {
        return new ConvGeom(n, c, h, w, oc, kh, kw, stride, pad,
                (h + 2 * pad - kh) / stride + 1, (w + 2 * pad - kw) / stride + 1);
    }

    public int inputSize() { return n * c * h * w; }
    public int outputSize() { return n * oc * oh * ow; }
    public int weightSize() { return oc * c * kh * kw; }
    /** Multiply-adds of the forward pass (backward data and backward filter cost the same). */
    public long macs() { return (long) n * oc * oh * ow * c * kh * kw; }
}
