package infogan.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The time per iteration keeps three significant digits from a GPU's ~1 ms to a slow CPU's ~1 s, without exponents. */
class TrainerFormatTest {
    @Test
    void millisecondsKeepThreeSignificantDigits() {
        assertEquals("1.23", Trainer.msText(1.234));
        assertEquals("0.870", Trainer.msText(0.8702));
        assertEquals("0.0434", Trainer.msText(0.04343));
        assertEquals("10.0", Trainer.msText(9.996));
        assertEquals("45.7", Trainer.msText(45.66));
        assertEquals("100", Trainer.msText(99.96));
        assertEquals("311", Trainer.msText(311.25));
        assertEquals("1234", Trainer.msText(1234.4));
    }
}
