import { AddressSet } from '../../src/core/net/address-set.js';
import { cidrOrThrow } from '../../src/core/net/cidr.js';

export const cidr = cidrOrThrow;

export function setOf(...texts: string[]): AddressSet {
  return AddressSet.fromCidrs(texts.map(cidrOrThrow));
}
