// Original file: proto/tollgate/v1/usage.proto

export const CorrectionKind = {
  CORRECTION_KIND_UNSPECIFIED: 'CORRECTION_KIND_UNSPECIFIED',
  VOID: 'VOID',
  AMEND: 'AMEND',
} as const;

export type CorrectionKind =
  | 'CORRECTION_KIND_UNSPECIFIED'
  | 0
  | 'VOID'
  | 1
  | 'AMEND'
  | 2

export type CorrectionKind__Output = typeof CorrectionKind[keyof typeof CorrectionKind]
