import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldPath } from '../core/kubernetes/shape.js';
import type { EffectiveAction, RuleFailure, Verdict, Violation } from '../engine/evaluate.js';
import { admissionResponse, AUDIT_VALUE_MAX, plainText, truncate, WARNING_HARD_MAX, WARNING_MAX, WARNINGS_TOTAL_MAX, type AdmissionResponse } from './response.js';

const UID = '705ab4f5-6393-11e8-b7cc-42010a800002';
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** `spec.ingress[0].from` as segments, for writing test paths the way they print. */
function segments(path: string): FieldPath {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((match) => (match[2] === undefined ? (match[1] ?? '') : Number(match[2])));
}

function violation(rule: string, action: EffectiveAction, path = 'spec', summary = `${rule} found something`, fix = 'Fix it.'): Violation {
  return { rule, action, finding: { path: segments(path), summary, fix } };
}

function failure(rule: string, message = 'TypeError: cannot read properties of undefined (reading "podSelector") at /app/dist/rules/x.js:12:3'): RuleFailure {
  return { rule, message, error: new TypeError(message) };
}

function verdict(violations: readonly Violation[], options: { failures?: readonly RuleFailure[]; allowed?: boolean } = {}): Verdict {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    namespace: 'team-a',
    name: 'web',
    judged: true,
    allowed: options.allowed ?? !violations.some((v) => v.action === 'deny'),
    violations,
    waived: [],
    failures: options.failures ?? [],
    failuresDeny: (options.failures ?? []).length > 0 && options.allowed === false,
  };
}

function respond(input: Verdict | undefined): AdmissionResponse {
  return admissionResponse(UID, input).response;
}

const WORLD = violation('netpol-world-ingress', 'deny', 'spec.ingress[0].from[0].ipBlock.cidr', 'ingress rule 0 admits ipBlock "0.0.0.0/0", 100% of public IPv4');
const EGRESS = violation('netpol-world-egress', 'warn', 'spec.egress[0].to[0].ipBlock.cidr', 'egress rule 0 admits ipBlock "0.0.0.0/0"');
const AUDITED = violation('netpol-broad-cidr', 'audit', 'spec.egress[1].to[0].ipBlock.cidr', 'admits 52.0.0.0/6');

/** A UTF-16 code unit from the start of the BMP, where the C0, C1 and separator controls live. */
const BMP_CHAR = fc.integer({ min: 0, max: 0x2100 }).map((code) => String.fromCharCode(code));

describe('plainText', () => {
  it.each([
    ['a newline', 'line one\nline two', 'line one line two'],
    ['CR LF and a tab, as one run', 'a\r\n\tb', 'a b'],
    ['NUL and DEL', 'a\u0000b\u007fc', 'a b c'],
    ['a C1 control (NEL)', 'a\u0085b', 'a b'],
    ['the line and paragraph separators', 'a\u2028b\u2029c', 'a b c'],
    ['an ANSI colour escape', '\u001b[31mred\u001b[0m', ' [31mred [0m'],
  ])('replaces %s with a space', (_name, input, expected) => {
    expect(plainText(input)).toBe(expected);
  });

  it('keeps printable text, non-ASCII included', () => {
    const text = 'the pod’s network — 100 % of “public” IPv4, café, 🚀';
    expect(plainText(text)).toBe(text);
  });

  it('never leaves a control character', () => {
    fc.assert(
      fc.property(fc.string({ unit: BMP_CHAR, maxLength: 40 }), (text) => !CONTROL.test(plainText(text))),
    );
  });
});

describe('truncate', () => {
  it.each([
    ['shorter than the limit', 'short text', 20, 'short text'],
    ['exactly the limit', 'x'.repeat(20), 20, 'x'.repeat(20)],
    ['cut at the last space when it lies past 60% of the limit', 'the quick brown fox jumps over', 20, 'the quick brown…'],
    ['cut hard when the last space comes too early', 'ab cdefghijklmnopqrstuvwxyz', 10, 'ab cdefgh…'],
    ['cut hard with no space at all', 'abcdefghijklmnopqrstuvwxyz', 10, 'abcdefghi…'],
  ])('returns text %s', (_name, text, max, expected) => {
    expect(truncate(text, max)).toBe(expected);
  });

  it('returns at most max characters, a prefix of the text and an ellipsis when it cuts', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.integer({ min: 2, max: 300 }), (text, max) => {
        const result = truncate(text, max);
        expect(result.length).toBeLessThanOrEqual(max);
        if (text.length <= max) {
          expect(result).toBe(text);
        } else {
          expect(result.endsWith('…')).toBe(true);
          expect(text.startsWith(result.slice(0, -1))).toBe(true);
        }
      }),
    );
  });
});

describe('admissionResponse: the decision table', () => {
  it('wraps every answer in an admission.k8s.io/v1 AdmissionReview with the request uid and no patch', () => {
    for (const input of [undefined, verdict([]), verdict([WORLD]), verdict([EGRESS, AUDITED])]) {
      const review = admissionResponse(UID, input);
      expect(review.apiVersion).toBe('admission.k8s.io/v1');
      expect(review.kind).toBe('AdmissionReview');
      expect(review.response.uid).toBe(UID);
      expect(review.response).not.toHaveProperty('patch');
      expect(review.response).not.toHaveProperty('patchType');
    }
  });

  it.each<[string, Verdict | undefined, AdmissionResponse]>([
    ['an object not judged at all', undefined, { uid: UID, allowed: true }],
    ['no findings', verdict([]), { uid: UID, allowed: true }],
    [
      'a deny finding',
      verdict([WORLD]),
      {
        uid: UID,
        allowed: false,
        status: { code: 403, reason: 'Forbidden', message: '[netpol-world-ingress] spec.ingress[0].from[0].ipBlock.cidr: ingress rule 0 admits ipBlock "0.0.0.0/0", 100% of public IPv4. Fix it.' },
      },
    ],
    ['warn findings only', verdict([EGRESS]), { uid: UID, allowed: true, warnings: ['[netpol-world-egress] spec.egress[0].to[0].ipBlock.cidr: egress rule 0 admits ipBlock "0.0.0.0/0". Fix it.'] }],
    ['an audit finding', verdict([AUDITED]), { uid: UID, allowed: true, auditAnnotations: { 'netpol-broad-cidr': 'spec.egress[1].to[0].ipBlock.cidr: admits 52.0.0.0/6' } }],
    [
      'a rule that threw under onError: deny',
      verdict([], { failures: [failure('pod-not-isolated')], allowed: false }),
      { uid: UID, allowed: false, status: { code: 500, reason: 'InternalError', message: 'kube-guardrails could not judge this object: internal error in rule pod-not-isolated (onError: deny)' } },
    ],
    ['a rule that threw under onError: allow', verdict([], { failures: [failure('pod-not-isolated')], allowed: true }), { uid: UID, allowed: true, warnings: ['[pod-not-isolated] skipped: internal error in the rule'] }],
    [
      'a rule that threw under onError: allow beside a deny finding',
      { ...verdict([WORLD], { failures: [failure('pod-not-isolated')], allowed: false }), failuresDeny: false },
      {
        uid: UID,
        allowed: false,
        status: { code: 403, reason: 'Forbidden', message: '[netpol-world-ingress] spec.ingress[0].from[0].ipBlock.cidr: ingress rule 0 admits ipBlock "0.0.0.0/0", 100% of public IPv4. Fix it.' },
        warnings: ['[pod-not-isolated] skipped: internal error in the rule'],
      },
    ],
    [
      'a rule that threw under onError: deny beside a deny finding',
      verdict([WORLD], { failures: [failure('pod-not-isolated')], allowed: false }),
      {
        uid: UID,
        allowed: false,
        status: {
          code: 403,
          reason: 'Forbidden',
          message:
            '[netpol-world-ingress] spec.ingress[0].from[0].ipBlock.cidr: ingress rule 0 admits ipBlock "0.0.0.0/0", 100% of public IPv4. Fix it.\n[pod-not-isolated] internal error in the rule; the object is refused because onError is deny',
        },
      },
    ],
  ])('answers %s', (_name, input, expected) => {
    expect(respond(input)).toEqual(expected);
  });

  it('lets warnings and audit annotations ride along with a denial', () => {
    const response = respond(verdict([WORLD, EGRESS, AUDITED]));
    expect(response.allowed).toBe(false);
    expect(response.status).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect(response.warnings).toEqual([expect.stringMatching(/^\[netpol-world-egress\] /)]);
    expect(Object.keys(response.auditAnnotations ?? {})).toEqual(['netpol-broad-cidr']);
  });

  it('puts one "[rule] path: summary. fix" line per denial in the status message', () => {
    const second = violation('invalid-object', 'deny', 'spec.ingress[0].from[1]', 'must specify a peer\nsecond line', 'Add a peer.');
    const response = respond(verdict([WORLD, second]));
    expect(response.status?.message.split('\n')).toEqual([
      '[netpol-world-ingress] spec.ingress[0].from[0].ipBlock.cidr: ingress rule 0 admits ipBlock "0.0.0.0/0", 100% of public IPv4. Fix it.',
      '[invalid-object] spec.ingress[0].from[1]: must specify a peer second line. Add a peer.',
    ]);
  });

  it('caps a long denial message at 8000 characters', () => {
    const many = Array.from({ length: 200 }, (_, index) => violation('invalid-object', 'deny', `spec.ingress[${index}]`, 'x'.repeat(80)));
    const message = respond(verdict(many)).status?.message ?? '';
    expect(message.length).toBeLessThanOrEqual(8000);
    expect(message.endsWith('…')).toBe(true);
  });

  it('reports a failure as a 403 denial when a deny finding denies anyway, naming the rule that threw but not its error', () => {
    const response = respond(verdict([WORLD], { failures: [failure('netpol-dns-egress')], allowed: false }));
    expect(response.status).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect(response.status?.message).toContain('[netpol-dns-egress] internal error in the rule');
    expect(response.status?.message).not.toContain('TypeError');
  });

  it('names every rule that threw in a 500', () => {
    const response = respond(verdict([], { failures: [failure('pod-not-isolated'), failure('netpol-dns-egress')], allowed: false }));
    expect(response.status?.message).toContain('pod-not-isolated, netpol-dns-egress');
  });

  it('never puts the text of a rule’s error in the response', () => {
    for (const allowed of [true, false]) {
      const text = JSON.stringify(respond(verdict([], { failures: [failure('pod-not-isolated')], allowed })));
      expect(text).not.toContain('TypeError');
      expect(text).not.toContain('/app/dist');
    }
  });
});

describe('admissionResponse: warnings', () => {
  it('keeps the path when the whole warning fits in 120 characters, and removes control characters', () => {
    const short = violation('netpol-world-egress', 'warn', 'spec.egress[0]', 'rule with a\nnewline and\ta tab', 'Narrow it.');
    expect(respond(verdict([short])).warnings).toEqual(['[netpol-world-egress] spec.egress[0]: rule with a newline and a tab. Narrow it.']);
  });

  it('drops the path, never the value or the fix, when the warning would pass 120 characters', () => {
    const summary = 'egress rule 0 admits "0.0.0.0/0" except 3 blocks: 99.9% of public IPv4';
    const fix = 'Narrow the cidr to the ranges the pods need.';
    const long = violation('netpol-world-egress', 'warn', 'spec.egress[0].to[0].ipBlock.cidr', summary, fix);
    expect(respond(verdict([long])).warnings).toEqual([`[netpol-world-egress] ${summary}. ${fix}`]);
  });

  it('keeps a warning whole up to the 256 characters the API server keeps, and cuts only past that', () => {
    const summary = `s${'x'.repeat(98)}`;
    const within = violation('netpol-world-egress', 'warn', 'spec', summary, `F${'y'.repeat(120)}.`);
    const [kept] = respond(verdict([within])).warnings ?? [];
    expect(kept).toBe(`[netpol-world-egress] ${summary}. F${'y'.repeat(120)}.`);
    expect(kept!.length).toBeGreaterThan(WARNING_MAX);
    const beyond = violation('netpol-world-egress', 'warn', 'spec', summary, `F${'y'.repeat(300)}.`);
    const [cut] = respond(verdict([beyond])).warnings ?? [];
    expect(cut!.length).toBeLessThanOrEqual(WARNING_HARD_MAX);
    expect(cut!.startsWith(`[netpol-world-egress] ${summary}. F`)).toBe(true);
  });

  it('says that enforcement would deny a finding softened by audit enforcement', () => {
    const softened: Violation = { ...violation('netpol-world-ingress', 'warn', 'spec', 'admits "0.0.0.0/0"', 'Narrow it.'), enforcedAction: 'deny' };
    expect(respond(verdict([softened])).warnings).toEqual(['[netpol-world-ingress] (deny when enforced) spec: admits "0.0.0.0/0". Narrow it.']);
  });

  it('sends a warning that repeats only once', () => {
    expect(respond(verdict([EGRESS, EGRESS, { ...EGRESS }])).warnings).toHaveLength(1);
  });

  it.each([
    ['ASCII', 'x'],
    ['two-byte UTF-8', 'é'],
    ['three-byte UTF-8', '’'],
  ])('keeps many %s warnings within the total budget and says how many were left out', (_name, char) => {
    const many = Array.from({ length: 100 }, (_, index) => violation('pod-host-port', 'warn', `spec.containers[${index}].ports[0].hostPort`, `${char.repeat(50)} ${index}`));
    const warnings = respond(verdict(many)).warnings ?? [];
    expect(warnings.reduce((total, warning) => total + Buffer.byteLength(warning), 0)).toBeLessThanOrEqual(WARNINGS_TOTAL_MAX);
    for (const warning of warnings) expect(warning.length).toBeLessThanOrEqual(WARNING_HARD_MAX);
    const more = /^\[kube-guardrails\] (\d+) more warnings not shown$/.exec(warnings.at(-1) ?? '');
    expect(more).not.toBeNull();
    expect(warnings.length - 1 + Number(more![1])).toBe(100);
  });

  it('keeps every warning when they fit', () => {
    const few = Array.from({ length: 20 }, (_, index) => violation('pod-host-port', 'warn', `spec.containers[${index}].ports[0].hostPort`, 'opens a host port'));
    expect(respond(verdict(few)).warnings).toHaveLength(20);
  });
});

describe('admissionResponse: audit annotations', () => {
  it('keys one annotation per rule and joins that rule’s findings with "; "', () => {
    const response = respond(verdict([AUDITED, violation('netpol-broad-cidr', 'audit', 'spec.ingress[0]', 'second'), violation('pod-host-port', 'audit', 'spec.containers[0]', 'third')]));
    expect(response.auditAnnotations).toEqual({
      'netpol-broad-cidr': 'spec.egress[1].to[0].ipBlock.cidr: admits 52.0.0.0/6; spec.ingress[0]: second',
      'pod-host-port': 'spec.containers[0]: third',
    });
  });

  it('caps an annotation value at 1024 characters, free of control characters', () => {
    const many = Array.from({ length: 50 }, (_, index) => violation('netpol-broad-cidr', 'audit', `spec.egress[${index}]`, `wide\nrange ${'y'.repeat(40)}`));
    const value = respond(verdict(many)).auditAnnotations?.['netpol-broad-cidr'] ?? '';
    expect(value.length).toBeLessThanOrEqual(AUDIT_VALUE_MAX);
    expect(value).not.toMatch(CONTROL);
  });
});

describe('truncation', () => {
  it('never splits a surrogate pair when it truncates', () => {
    expect(truncate(`${'a'.repeat(118)}🚀🚀🚀`, 120)).not.toMatch(LONE_SURROGATE);
  });
});
