package infogan.tests;

import infogan.engine.backend.Backend;
import infogan.engine.backend.Storage;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stand-in for CUDA graph capture on the CPU, so the rules of {@link Backend#capture} are tested on a machine
 * without a GPU: while recording, every kernel call is <b>recorded, not run</b> (as stream capture does), with its
 * storages and scalar arguments fixed; host copies and synchronisation are refused; storages released while
 * recording stay with the recording. A replay runs the recorded calls on the wrapped backend, in order.
 * <p>If a step read a host value that changes from step to step (Adam's t as an argument, say), its replays would
 * repeat the recorded value and drift from an eager run: {@code RecordedStepTest} compares the two bit for bit.
 * <p>It also counts the kernel calls issued directly (outside replays), per method name.
 */
final class RecordingBackend implements InvocationHandler {
    private record Call(Method method, Object[] args) { }

    final Backend base;
    /** The backend to hand to models: every call goes through {@link #invoke}. */
    final Backend backend;
    /** Kernel calls issued directly (not by a replay), by method name; host copies are counted too. */
    final Map<String, Integer> direct = new TreeMap<>();
    int recordings, replays;
    private List<Call> recording;
    private List<Storage> releasedWhileRecording;

    RecordingBackend(Backend base) {
        this.base = base;
        this.backend = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, this);
    }

    void resetCounts() { direct.clear(); replays = 0; }

    @Override
    public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
        String name = m.getName();
        if (m.getDeclaringClass() == Object.class) {
            return switch (name) {
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "recording(" + base + ")";
            };
        }
        switch (name) {
            case "capture": return capture((Runnable) args[0]);
            case "zeros": return InvocationHandler.invokeDefault(proxy, m, args);   // alloc + fill, both through here
            case "name", "activity", "close", "alloc": return call(m, args);
            case "release":
                if (recording != null) { releasedWhileRecording.add((Storage) args[0]); return null; }
                return call(m, args);
            case "read", "write", "synchronize":
                if (recording != null) throw new IllegalStateException(name + " while recording: a replay cannot repeat it");
                direct.merge(name, 1, Integer::sum);
                return call(m, args);
            default:                                                                // a kernel
                if (m.getReturnType() != void.class) throw new AssertionError("unexpected non-void kernel " + m);
                if (recording != null) { recording.add(new Call(m, args.clone())); return null; }
                direct.merge(name, 1, Integer::sum);
                return call(m, args);
        }
    }

    private Object call(Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(base, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private Backend.Replay capture(Runnable work) {
        if (recording != null) return null;
        recording = new ArrayList<>();
        releasedWhileRecording = new ArrayList<>();
        List<Call> calls;
        List<Storage> owned;
        try {
            work.run();
        } finally {
            calls = List.copyOf(recording);
            owned = releasedWhileRecording;
            recording = null;
            releasedWhileRecording = null;
        }
        recordings++;
        return new Backend.Replay() {
            private boolean closed;

            @Override
            public void replay() {
                if (closed) throw new IllegalStateException("replay after close");
                replays++;
                try {
                    for (Call c : calls) call(c.method(), c.args());
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
            }

            @Override
            public int operations() { return calls.size(); }

            @Override
            public void close() {
                if (closed) return;
                closed = true;
                for (Storage s : owned) base.release(s);
            }
        };
    }
}
