// Shaded price zones (gaps, fair value gaps, order blocks, a highlighted pattern) from one time
// to another, or to the pane's right edge while the zone is still open.
import { CanvasPrimitive, drawLabel } from "./canvas-primitive.js";

export class BoxesPrimitive extends CanvasPrimitive {
  constructor(timeIndex) {
    super(timeIndex, "bottom");
  }

  paint(ctx, hr, vr, media) {
    for (const box of this.items) {
      const x1 = this.x(box.from);
      const x2 = box.to === null ? media.width : this.x(box.to);
      const yTop = this.y(box.top);
      const yBottom = this.y(box.bottom);
      if (x1 === null || x2 === null || yTop === null || yBottom === null) continue;
      if (x2 < 0 || x1 > media.width) continue;
      const left = Math.round(x1 * hr);
      const width = Math.max(1, Math.round(x2 * hr) - left);
      // `minHeight` (px) keeps a zone thinner than that visible as a band around its middle.
      const raw = Math.abs(yBottom - yTop);
      const shown = Math.max(raw, box.minHeight ?? 0);
      const top = Math.round((Math.min(yTop, yBottom) - (shown - raw) / 2) * vr);
      const height = Math.max(1, Math.round(shown * vr));
      ctx.globalAlpha = box.faded ? 0.4 : 1;
      ctx.fillStyle = box.fill;
      ctx.fillRect(left, top, width, height);
      if (box.stroke) {
        ctx.strokeStyle = box.stroke;
        ctx.lineWidth = Math.max(1, Math.floor(hr));
        ctx.setLineDash(box.faded ? [4 * hr, 3 * hr] : []);
        ctx.strokeRect(left + 0.5, top + 0.5, width - 1, height - 1);
      }
      if (box.label && width > 60 * hr && height > 12 * vr) {
        drawLabel(ctx, box.label, left + 4 * hr, top + height, box.stroke ?? box.fill, hr);
      }
    }
    ctx.globalAlpha = 1;
    ctx.setLineDash([]);
  }
}
