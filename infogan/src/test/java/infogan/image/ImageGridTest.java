package infogan.image;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** ImageGridTest: tile placement, padding, clamping and partially filled grids. */
class ImageGridTest {
    @Test
    void placesTilesWithPadding() {
        int h = 2, w = 3;
        float[] img = new float[5 * h * w];
        for (int k = 0; k < 5; k++) java.util.Arrays.fill(img, k * h * w, (k + 1) * h * w, (k + 1) / 10f);
        img[0] = 7f;   // clamped to 1
        img[1] = -3f;  // clamped to 0
        GrayRaster g = ImageGrid.grid(img, 5, h, w, 2, 3, 1, 0f);
        assertEquals(3 * 3 + 2, g.width());
        assertEquals(2 * 2 + 1, g.height());
        assertEquals(255, g.get(0, 0));
        assertEquals(0, g.get(1, 0));
        assertEquals(Math.round(0.1f * 255), g.get(2, 1));
        assertEquals(0, g.get(3, 0), "pad column");
        assertEquals(Math.round(0.2f * 255), g.get(4, 0), "tile 1");
        assertEquals(Math.round(0.4f * 255), g.get(0, 3), "tile 3 = row 1, col 0");
        assertEquals(Math.round(0.5f * 255), g.get(5, 4), "tile 4");
        assertEquals(0, g.get(9, 4), "empty 6th cell is separator");
    }

    @Test
    void defaultPadIsMidGray() {
        GrayRaster g = ImageGrid.grid(new float[2], 2, 1, 1, 1, 2, 2);
        assertEquals(4, g.width());
        assertEquals(128, g.get(1, 0));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.grid(new float[1], 2, 1, 1, 1, 2, 0));
    }
}
