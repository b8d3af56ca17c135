// Straight segments between two (time, price) points: BOS/CHoCH levels, liquidity lines and
// the user's drawings. `to: null` runs to the right edge of the pane.
import { CanvasPrimitive, drawLabel } from "./canvas-primitive.js";

const DASHES = { solid: [], dashed: [6, 4], dotted: [2, 3] };

export class SegmentsPrimitive extends CanvasPrimitive {
  constructor(timeIndex, zOrder = "normal") {
    super(timeIndex, zOrder);
  }

  // Media-space endpoints of one segment, or null when it cannot be placed yet.
  endpoints(seg, media) {
    const x1 = seg.from === null ? 0 : this.x(seg.from);
    const x2 = seg.to === null ? media.width : this.x(seg.to);
    const y1 = this.y(seg.p1);
    const y2 = this.y(seg.p2);
    if ([x1, x2, y1, y2].some((v) => v === null)) return null;
    return { x1, y1, x2, y2 };
  }

  paint(ctx, hr, vr, media) {
    for (const seg of this.items) {
      const e = this.endpoints(seg, media);
      if (!e || Math.max(e.x1, e.x2) < 0 || Math.min(e.x1, e.x2) > media.width) continue;
      ctx.strokeStyle = seg.color;
      ctx.lineWidth = Math.max(1, Math.round((seg.width ?? 1) * hr));
      ctx.setLineDash((DASHES[seg.style ?? "solid"]).map((d) => d * hr));
      ctx.beginPath();
      ctx.moveTo(e.x1 * hr, e.y1 * vr);
      ctx.lineTo(e.x2 * hr, e.y2 * vr);
      ctx.stroke();
      if (seg.label && Math.abs(e.x2 - e.x1) > 24) {
        const mid = (Math.max(e.x1, 0) + Math.min(e.x2, media.width)) / 2;
        drawLabel(ctx, seg.label, mid * hr, Math.min(e.y1, e.y2) * vr, seg.color, hr, "center");
      }
      if (seg.handles) this.paintHandles(ctx, seg, e, hr, vr, media);
    }
    ctx.setLineDash([]);
  }

  // Endpoint handles of a selected drawing; a horizontal line has one, mid-pane.
  paintHandles(ctx, seg, e, hr, vr, media) {
    ctx.fillStyle = seg.color;
    const open = seg.from === null && seg.to === null;
    const points = open ? [[media.width / 2, e.y1]] : [[e.x1, e.y1], [e.x2, e.y2]];
    for (const [x, y] of points) {
      ctx.beginPath();
      ctx.arc(x * hr, y * vr, 4 * hr, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}
