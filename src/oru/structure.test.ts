import { describe, expect, it } from 'vitest';
import { parseHl7 } from '../hl7/index.js';
import { oruGroups } from './structure.js';

const MSH = 'MSH|^~\\&|LAB|H|CC|CC|20261103081522||ORU^R01^ORU_R01|1|P|2.5.1';
const groups = (...segments: string[]) => oruGroups(parseHl7([MSH, ...segments].join('\r') + '\r'));
const ids = (segs: readonly { get(f: number): string }[]) => segs.map((s) => s.get(1));

describe('oruGroups (ORU_R01, HL7 v2.5.1 §7.3.1)', () => {
  it('groups OBX under their OBR and NTE under the segment they follow', () => {
    const [p] = groups(
      'PID|1||M1^^^H^MR', 'NTE|1||patient note', 'PV1|1|O', 'ORC|RE|P1|F1',
      'OBR|1|P1|F1|80048^BMP', 'NTE|1||order note',
      'OBX|1|NM|K||6.8', 'NTE|1||called to RN', 'NTE|2||read back',
      'OBX|2|NM|NA||128',
      'OBR|2|P2|F2|85025^CBC', 'TQ1|1', 'NTE|9||after TQ1: no owner', 'OBX|1|NM|WBC||7.5', 'SPM|1', 'OBX|2|ST|SPEC||ok',
    );
    expect(p!.pid?.get(3)).toBe('M1');
    expect(p!.pv1).toBeDefined();
    expect(ids(p!.notes)).toEqual(['1']);
    expect(p!.orders).toHaveLength(2);
    const [bmp, cbc] = p!.orders;
    expect(bmp!.orc?.get(3)).toBe('F1');
    expect(bmp!.obr?.get(4)).toBe('80048');
    expect(bmp!.notes.map((n) => n.get(3))).toEqual(['order note']);
    expect(bmp!.results.map((r) => [r.obx.get(3), r.notes.map((n) => n.get(3))])).toEqual([['K', ['called to RN', 'read back']], ['NA', []]]);
    expect(cbc!.orc).toBeUndefined();
    expect(cbc!.notes).toEqual([]);
    expect(cbc!.results.map((r) => r.obx.get(3))).toEqual(['WBC', 'SPEC']);
  });

  it('opens a group per PID (a batch of patients in one message)', () => {
    const all = groups('PID|1||A', 'OBR|1||F1|X', 'OBX|1|NM|K||4', 'PID|2||B', 'OBR|1||F2|X', 'OBX|1|NM|K||5');
    expect(all.map((g) => g.pid?.get(3))).toEqual(['A', 'B']);
    expect(all.map((g) => g.orders[0]!.results[0]!.obx.get(5))).toEqual(['4', '5']);
  });

  it('tolerates results without PID and OBX without OBR', () => {
    const [p] = groups('PV1||I', 'OBX|1|NM|K||4', 'OBR|1||F|X', 'OBX|1|NM|K||5');
    expect(p!.pid).toBeUndefined();
    expect(p!.orders.map((o) => [o.obr?.get(3) ?? null, o.results.length])).toEqual([[null, 1], ['F', 1]]);
  });

  it('gives nothing for a message without results', () => {
    expect(groups('PID|1||A')).toEqual([expect.objectContaining({ orders: [] })]);
    expect(groups()).toEqual([]);
  });
});
