package infogan.engine.backend.cpu;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Free lists of {@link F32Storage} keyed by exact size. A training step with static shapes releases and then
 * re-allocates the same sizes every iteration, so after the first step every alloc is a pop and every release a push:
 * no heap churn. Keys are looked up by a linear scan of an int array (a network has a few dozen distinct sizes),
 * which also avoids boxing the size into a map key.
 */
final class F32Pool {
    private int[] sizes = new int[16];
    @SuppressWarnings("unchecked")
    private ArrayDeque<F32Storage>[] lists = new ArrayDeque[16];
    private int count;

    synchronized F32Storage alloc(int n) {
        if (n < 0) throw new IllegalArgumentException("negative size " + n);
        ArrayDeque<F32Storage> free = list(n, false);
        F32Storage s = free == null ? null : free.pollLast();
        if (s == null) return new F32Storage(n);
        s.pooled = false;
        return s;
    }

    synchronized void release(F32Storage s) {
        if (s.pooled) throw new IllegalStateException("storage released twice: " + s);
        s.pooled = true;
        list(s.a.length, true).addLast(s);
    }

    private ArrayDeque<F32Storage> list(int n, boolean create) {
        for (int i = 0; i < count; i++) if (sizes[i] == n) return lists[i];
        if (!create) return null;
        if (count == sizes.length) {
            sizes = Arrays.copyOf(sizes, 2 * count);
            lists = Arrays.copyOf(lists, 2 * count);
        }
        sizes[count] = n;
        return lists[count++] = new ArrayDeque<>();
    }
}
