package infogan.engine.backend.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pinned upload ring's bookkeeping, with integers standing for CUDA events. */
class UploadRingTest {
    final List<Integer> awaited = new ArrayList<>(), completed = new ArrayList<>();

    long reserve(UploadRing<Integer> r, long bytes, int event) {
        long at = r.reserve(bytes, awaited::add, completed::add);
        r.submitted(at, bytes, event);
        return at;
    }

    @Test
    void regionsAreTakenInOrderAndReusedOnlyAfterTheirCopiesCompleted() {
        UploadRing<Integer> r = new UploadRing<>(100);
        assertEquals(0, reserve(r, 40, 1));
        assertEquals(40, reserve(r, 40, 2));
        assertTrue(awaited.isEmpty(), "nothing overlaps yet: no waiting");
        // 30 bytes do not fit after 80: back to 0, which copy 1 may still be reading
        assertEquals(0, reserve(r, 30, 3));
        assertEquals(List.of(1), awaited, "waits for the copy that used [0, 40)");
        assertEquals(List.of(1), completed);
        // [30, 70) overlaps copy 2 ([40, 80)); copy 3 is newer and does not overlap: only 2 is awaited
        assertEquals(30, reserve(r, 40, 4));
        assertEquals(List.of(1, 2), awaited);
        assertEquals(List.of(1, 2), completed);
        assertEquals(2, r.pendingCount());
    }

    @Test
    void waitingOnANewerCopyReleasesEveryOlderOne() {
        UploadRing<Integer> r = new UploadRing<>(100);
        reserve(r, 10, 1);     // [0, 10)
        reserve(r, 10, 2);     // [10, 20)
        reserve(r, 70, 3);     // [20, 90)
        reserve(r, 50, 4);     // wraps to [0, 50): overlaps 1, 2 and 3; the newest of them is 3
        assertEquals(List.of(3), awaited, "one wait, on the newest overlapping copy");
        assertEquals(List.of(1, 2, 3), completed, "events complete in stream order: 1 and 2 are done too");
        assertEquals(1, r.pendingCount());
        r.drain(awaited::add, completed::add);
        assertEquals(List.of(3, 4), awaited);
        assertEquals(List.of(1, 2, 3, 4), completed);
        assertEquals(0, r.pendingCount());
    }

    @Test
    void manySmallCopiesAreBoundedAndOversizedOnesRefused() {
        UploadRing<Integer> r = new UploadRing<>(1 << 20);
        for (int i = 0; i < UploadRing.MAX_PENDING; i++) reserve(r, 4, i);
        assertTrue(awaited.isEmpty());
        reserve(r, 4, 999);
        assertEquals(List.of(UploadRing.MAX_PENDING - 1), awaited, "at the bound it waits for the newest and frees all");
        assertEquals(UploadRing.MAX_PENDING, completed.size());
        assertEquals(1, r.pendingCount());
        assertThrows(IllegalArgumentException.class, () -> r.reserve((1 << 20) + 1, awaited::add, completed::add));
        assertThrows(IllegalArgumentException.class, () -> r.reserve(0, awaited::add, completed::add));
    }
}
