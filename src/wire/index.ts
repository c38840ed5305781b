// Byte formats that cross the network and that other implementations must speak:
// length-prefixed frames, the rendezvous protobuf, the circuit relay v2 HOP/STOP protobuf and
// the AutoNAT v1 protobuf.
// Pure: no network library is imported here.
export * from './autonat.ts';
export * from './circuit.ts';
export { WireFormatError, type WireFormatErrorCode } from './format-error.ts';
export * from './frames.ts';
export * from './rendezvous.ts';
