// Organisation names compare by keys that two names people would take for the same one share
// (charter §10): "Example University", "example  university", "Exam\u200Bple University",
// "Example University" with a no-break space, "Ехаmple University" with Cyrillic letters and
// "Εxample University" with a Greek capital are one organisation. A name is first cleaned:
//
//   1. NFKC (compatibility forms: the no-break space becomes a space, "ﬁ" becomes "fi");
//   2. format and default-ignorable characters removed (zero-width space and joiners, soft
//      hyphen, word joiner, byte-order mark, variation selectors);
//   3. white space collapsed to one space, none at either end.
//
// Its two keys are then the confusables skeleton of Unicode TR39 §4 (NFD, each character
// replaced by its prototype in confusables.txt, NFD again) of the cleaned name and of the
// cleaned name case folded, each case folded and its spaces collapsed. Case folding is upper
// case then lower case ("ß" and "ss", "ς" and "σ" fold together). Two keys, because TR39 tells
// letters apart by case: the Greek "Ε" is a look-alike of "E" but "ε" is none of "e", while the
// capital "I" is one of "l" and the small "i" is not; folding only before, or only after, the
// skeleton would miss one of them. Two names are one organisation when they share a key.
//
// The prototypes come from `unhomoglyph` (pinned exactly): the mapping of Unicode's
// confusables.txt version 13.0.0, as data. The keys are a consensus rule — every root must
// compute the same ones — so that package and the Unicode version of the Node.js the project
// brings (NFKC, NFD, case mapping) are part of the protocol; changing either changes the rules.

import unhomoglyph from 'unhomoglyph';

const IGNORABLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
const SPACES = /\p{White_Space}+/gu;

function fold(s: string): string {
  return s.toUpperCase().toLowerCase();
}

function collapse(s: string): string {
  return s.replace(SPACES, ' ').trim();
}

/** The TR39 skeleton: NFD, prototypes of confusables.txt, NFD. */
export function confusablesSkeleton(s: string): string {
  return unhomoglyph(s.normalize('NFD')).normalize('NFD');
}

/** The keys organisation names are compared by (charter §10): one or two strings. */
export function organisationKeys(organisation: string): string[] {
  const cleaned = collapse(organisation.normalize('NFKC').replace(IGNORABLE, ''));
  const finish = (s: string) => collapse(fold(s));
  const keys = [finish(confusablesSkeleton(cleaned)), finish(confusablesSkeleton(fold(cleaned)))];
  return keys[0] === keys[1] ? [keys[0]!] : keys;
}

/** Do two organisation names name one organisation (share a key)? */
export function sameOrganisation(a: string, b: string): boolean {
  const keys = new Set(organisationKeys(a));
  return organisationKeys(b).some((k) => keys.has(k));
}
