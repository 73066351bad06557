import { describe, expect, it } from 'vitest';
import { describeFieldError, forbidden, formatFieldError, invalid, required, unsupported } from './field-errors.js';

describe('field error constructors', () => {
  it('build the four error types of k8s.io/apimachinery util/validation/field', () => {
    expect(required(['spec', 'selector'], '')).toStrictEqual({ path: ['spec', 'selector'], type: 'Required value', detail: '' });
    expect(invalid(['spec', 'ports', 0], 'x', 'must be an integer')).toStrictEqual({
      path: ['spec', 'ports', 0],
      type: 'Invalid value',
      value: 'x',
      detail: 'must be an integer',
    });
    expect(forbidden(['spec'], 'may not specify both')).toStrictEqual({ path: ['spec'], type: 'Forbidden', detail: 'may not specify both' });
    expect(unsupported(['spec', 'protocol'], 'tcp', ['TCP', 'UDP', 'SCTP'])).toStrictEqual({
      path: ['spec', 'protocol'],
      type: 'Unsupported value',
      value: 'tcp',
      detail: 'supported values: "TCP", "UDP", "SCTP"',
    });
  });

  it('lists a single supported value without a separator', () => {
    expect(unsupported([], 1, ['Ingress']).detail).toBe('supported values: "Ingress"');
  });
});

describe('describeFieldError', () => {
  it.each([
    [invalid(['p'], 'tcp', 'must be upper case'), 'Invalid value: "tcp": must be upper case'],
    [invalid(['p'], 0, 'must be between 1 and 65535, inclusive'), 'Invalid value: 0: must be between 1 and 65535, inclusive'],
    [invalid(['p'], null, 'must be a string'), 'Invalid value: null: must be a string'],
    [invalid(['p'], { a: [1] }, 'must be a list'), 'Invalid value: {"a":[1]}: must be a list'],
    [invalid(['p'], 'x', ''), 'Invalid value: "x"'],
    [invalid(['p'], 'x', 'must be: this'), 'Invalid value: "x": must be: this'],
    [required(['p'], ''), 'Required value'],
    [required(['p'], 'must specify a peer'), 'Required value: must specify a peer'],
    [forbidden(['p'], 'may not be specified'), 'Forbidden: may not be specified'],
    [unsupported(['p'], 'Gt', ['In', 'NotIn']), 'Unsupported value: "Gt": supported values: "In", "NotIn"'],
  ])('words %j as %j', (error, text) => {
    expect(describeFieldError(error)).toBe(text);
  });
});

describe('formatFieldError', () => {
  it('puts the path first, as kubectl prints it', () => {
    expect(formatFieldError(invalid(['spec', 'ingress', 0, 'ports', 1, 'protocol'], 'tcp', 'bad'))).toBe(
      'spec.ingress[0].ports[1].protocol: Invalid value: "tcp": bad',
    );
    expect(formatFieldError(required(['spec', 'selector'], ''))).toBe('spec.selector: Required value');
    expect(formatFieldError(invalid(['metadata', 'labels', 'app.kubernetes.io/name'], '-x', 'bad'))).toBe(
      'metadata.labels["app.kubernetes.io/name"]: Invalid value: "-x": bad',
    );
  });
});
