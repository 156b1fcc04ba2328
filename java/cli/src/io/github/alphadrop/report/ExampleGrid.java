package io.github.alphadrop.report;

import io.github.alphadrop.adversarial.AttackRunner;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A picture of example inputs as an attack perturbs them: one row per (example, model), one column per
 * attack strength, each image captioned with the predicted class and its mean probability. Rows of the
 * same example sit together so the models can be compared on identical inputs.
 *
 * <p>Inputs are drawn as square grey-scale images (value 0 white, 1 black, like ink on paper) scaled by
 * whole pixels, so nothing is smoothed away.
 */
public final class ExampleGrid {

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static final int TARGET_IMAGE_PX = 84;
    private static final int LABEL_WIDTH = 190;
    private static final int PAD = 10;
    private static final int CAPTION_H = 36;
    private static final int HEADER_H = 44;
    private static final Color WRONG = new Color(0xC0392B);
    private static final Color RIGHT = new Color(0x1E6B35);

    private ExampleGrid() {
    }

    /** The side of a square image of {@code pixels} values, or −1 when it is not a perfect square. */
    public static int side(int pixels) {
        int s = (int) Math.round(Math.sqrt(pixels));
        return s * s == pixels ? s : -1;
    }

    /**
     * Up to {@code max} indices spread evenly over {@code 0..count-1}, always including both ends: the
     * columns to show from a sweep.
     */
    public static int[] spread(int count, int max) {
        if (count <= 0 || max <= 0) {
            return new int[0];
        }
        int k = Math.min(count, max);
        if (k == 1) {
            return new int[]{0};
        }
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = (int) Math.round((double) i * (count - 1) / (k - 1));
        }
        return out;
    }

    /**
     * Draws the grid for the results of one attack method (all with the same example inputs and the
     * same frame columns) and writes it as PNG.
     *
     * @param title  a heading drawn above the grid
     * @param target the targeted attack's class (captions are green when reached), or −1
     */
    public static void write(Path file, String title, List<AttackRunner.Result> results, int target)
            throws IOException {
        if (results.isEmpty() || results.get(0).examples().isEmpty()) {
            throw new IllegalArgumentException("no examples to draw");
        }
        AttackRunner.Result first = results.get(0);
        int examples = first.examples().size();
        int columns = first.examples().get(0).frames().size();
        int pixels = first.examples().get(0).frames().get(0).pixels().length;
        int side = side(pixels);
        if (side < 0) {
            throw new IllegalArgumentException("inputs of " + pixels + " values are not square images");
        }
        int scale = Math.max(1, Math.round((float) TARGET_IMAGE_PX / side));
        int img = side * scale;
        int cellW = Math.max(img, 92) + PAD;
        int cellH = img + CAPTION_H + PAD;
        int rows = examples * results.size();
        int width = LABEL_WIDTH + columns * cellW + PAD;
        int height = HEADER_H + 24 + rows * cellH + (examples - 1) * PAD + PAD;

        BufferedImage canvas = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title, PAD, 22);
            Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
            Font bold = new Font(Font.SANS_SERIF, Font.BOLD, 13);
            g.setFont(bold);
            for (int c = 0; c < columns; c++) {
                String caption = first.examples().get(0).frames().get(c).caption();
                centered(g, caption, LABEL_WIDTH + c * cellW, cellW - PAD, HEADER_H + 14);
            }
            int y = HEADER_H + 24;
            for (int e = 0; e < examples; e++) {
                if (e > 0) {
                    g.setColor(new Color(0xBBBBBB));
                    g.drawLine(PAD, y - PAD / 2 - 1, width - PAD, y - PAD / 2 - 1);
                    y += PAD;
                }
                for (AttackRunner.Result r : results) {
                    AttackRunner.Example ex = r.examples().get(e);
                    g.setColor(Color.BLACK);
                    g.setFont(bold);
                    drawClipped(g, r.model(), PAD, y + img / 2 - 4, LABEL_WIDTH - 2 * PAD);
                    g.setFont(small);
                    g.drawString("input #" + ex.index() + ", label " + ex.label(), PAD, y + img / 2 + 14);
                    for (int c = 0; c < ex.frames().size() && c < columns; c++) {
                        AttackRunner.Frame f = ex.frames().get(c);
                        int x = LABEL_WIDTH + c * cellW;
                        int ix = x + (cellW - PAD - img) / 2;
                        drawImage(canvas, f.pixels(), side, scale, ix, y);
                        g.setColor(new Color(0x888888));
                        g.drawRect(ix - 1, y - 1, img + 1, img + 1);
                        boolean reached = target >= 0 && f.predicted() == target;
                        g.setColor(reached ? RIGHT : f.predicted() == ex.label() ? Color.BLACK : WRONG);
                        g.setFont(bold);
                        centered(g, "pred " + f.predicted(), x, cellW - PAD, y + img + 15);
                        g.setFont(small);
                        centered(g, String.format(java.util.Locale.ROOT, "p̄ = %.2f", f.probability()), x, cellW - PAD,
                                y + img + 30);
                    }
                    y += cellH;
                }
            }
        } finally {
            g.dispose();
        }
        ImageIO.write(canvas, "png", file.toFile());
    }

    private static void drawImage(BufferedImage canvas, float[] pixels, int side, int scale, int x0, int y0) {
        for (int r = 0; r < side; r++) {
            for (int c = 0; c < side; c++) {
                float v = Math.max(0f, Math.min(1f, pixels[r * side + c]));
                int grey = Math.round(255 * (1 - v));
                int rgb = (grey << 16) | (grey << 8) | grey;
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        canvas.setRGB(x0 + c * scale + dx, y0 + r * scale + dy, rgb);
                    }
                }
            }
        }
    }

    private static void centered(Graphics2D g, String text, int x, int width, int baseline) {
        FontMetrics m = g.getFontMetrics();
        g.drawString(text, x + Math.max(0, (width - m.stringWidth(text)) / 2), baseline);
    }

    /** Long model names are cut with an ellipsis rather than running into the images. */
    private static void drawClipped(Graphics2D g, String text, int x, int baseline, int width) {
        FontMetrics m = g.getFontMetrics();
        String s = text;
        while (s.length() > 1 && m.stringWidth(s) > width) {
            s = s.substring(0, s.length() - 2) + "…";
            if (s.length() <= 2) {
                break;
            }
        }
        g.drawString(s, x, baseline);
    }
}
