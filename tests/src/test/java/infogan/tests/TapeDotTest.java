package infogan.tests;

import infogan.engine.autodiff.Tape;
import infogan.engine.ops.Activate;
import infogan.engine.ops.MatMul;
import infogan.engine.ops.Sum;
import infogan.engine.tensor.Tensor;
import infogan.engine.util.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The Graphviz dump of a tape names every op with its output shape and norm, and draws every data-flow edge. */
class TapeDotTest {
    @Test
    void dotListsOpsLeavesAndEdges() {
        Rng rng = new Rng(4);
        Tensor x = GradCheck.leaf(rng, -1, 1, 2, 3), w = Tensor.parameter(GradCheck.REF, "W", 4, 3);
        w.write(new double[]{1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0});
        Tape t = new Tape(GradCheck.REF);
        Tensor y = Sum.sum(t, Activate.tanh(t, MatMul.apply(t, x, false, w, true)));
        String dot = t.toDot();
        assertTrue(dot.startsWith("digraph tape {"), dot);
        assertTrue(dot.contains("label=\"matmul\\n(2, 4)"), dot);
        assertTrue(dot.contains("label=\"W\\n(4, 3)  |x|=1.732"), dot);   // √3: three ones
        assertTrue(dot.contains("label=\"sum\\n(1)"), dot);
        assertEquals(4, dot.lines().filter(l -> l.contains("->")).count(), dot);   // x, W → matmul → tanh → sum
        t.backward(y);
    }
}
