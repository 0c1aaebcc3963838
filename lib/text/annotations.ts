/**
 * The custom annotations the text format gives a meaning (annotations proposal, `proposals/annotations/Overview.md`;
 * branch hinting proposal): reading `(@custom …)`, `(@name …)` and `(@metadata.code.branch_hint …)`, placing custom
 * sections among the module's sections, and rejecting a known annotation written where it means nothing. Any other
 * annotation is ignored. The encoder (`to_binary.ts`) finds the annotations where they belong and marks them used;
 * {@link checkAnnotationsUsed} then reports the rest as misplaced.
 *
 * @module
 */

import { ByteWriter } from "../binary/leb128.ts";
import { CustomAnnotationError, type SAnnot, type SExpr, type SList, stringText } from "./sexpr.ts";

/** The sections a custom section can be placed around, in binary order, with their ids. */
const SECTION_ORDER = [
  ["type", 1],
  ["import", 2],
  ["func", 3],
  ["table", 4],
  ["memory", 5],
  ["tag", 13],
  ["global", 6],
  ["export", 7],
  ["start", 8],
  ["elem", 9],
  ["datacount", 12],
  ["code", 10],
  ["data", 11],
] as const;

/** A section kind of a placement: the keyword `(before code)` names. */
export type SectionKind = (typeof SECTION_ORDER)[number][0];

const SECTION_KINDS = new Map<string, SectionKind>(SECTION_ORDER.map(([k]) => [k, k]));

/** Where a custom section goes: just before or just after the place of a section (present or not). */
export interface Placement {
  readonly before: boolean;
  readonly section: SectionKind;
}

/** A custom section to emit: its name, contents and place. */
export interface CustomSection {
  readonly name: string;
  readonly content: Uint8Array;
  readonly place: Placement;
}

/** The annotation ids with a meaning; an annotation of any other id is ignored. */
export const CUSTOM = "custom";
/** The `@name` annotation's id. */
export const NAME = "name";
/** The branch hint annotation's id, also its custom section's name. */
export const BRANCH_HINT = "metadata.code.branch_hint";

/** The default placement, `(after last)`. */
export const AFTER_LAST: Placement = { before: false, section: "data" };

function malformed(reason: string, at: SExpr | SAnnot): never {
  throw new CustomAnnotationError(reason, at, "malformed");
}

const NONE: readonly SAnnot[] = [];

/** The annotations of `list` with id `name`, with the item index each precedes. */
export function annotationsOf(list: SList, name: string): readonly SAnnot[] {
  return list.annots ? list.annots.filter((a) => a.name === name) : NONE;
}

/**
 * Reads `(@custom "name" placement? "bytes"*)`: placement is `(before kind)` or `(after kind)`, kind a section
 * keyword or `first` (before the type section) or `last` (after the data section); the default is after last.
 */
export function readCustomAnnotation(a: SAnnot): CustomSection {
  const [first, ...rest] = a.items;
  if (first?.kind !== "string") malformed("@custom annotation: missing section name", first ?? a);
  let name: string;
  try {
    name = stringText(first);
  } catch {
    malformed("@custom annotation: malformed UTF-8 encoding", first);
  }
  let place = AFTER_LAST;
  let i = 0;
  if (rest[0]?.kind === "list") {
    place = readPlacement(rest[0]);
    i++;
  }
  const parts: Uint8Array[] = [];
  for (; i < rest.length; i++) {
    const s = rest[i];
    if (s.kind !== "string") malformed("@custom annotation: unexpected token", s);
    parts.push(s.bytes);
  }
  const content = new ByteWriter();
  for (const p of parts) content.bytes(p);
  return { name, content: content.finish(), place };
}

function readPlacement(l: SList): Placement {
  const [dir, kind, extra] = l.items;
  if (dir?.kind !== "atom" || (dir.text !== "before" && dir.text !== "after")) {
    malformed("@custom annotation: malformed placement", dir ?? l);
  }
  if (kind?.kind !== "atom") malformed("@custom annotation: malformed section kind", kind ?? l);
  const section = kind.text === "first" ? "type" : kind.text === "last" ? "data" : SECTION_KINDS.get(kind.text);
  if (section === undefined) malformed("@custom annotation: malformed section kind", kind);
  if (extra !== undefined) malformed("@custom annotation: unexpected token", extra);
  return { before: dir.text === "before", section };
}

/** Reads `(@name "text")`: the name it gives. */
export function readNameAnnotation(a: SAnnot): string {
  const [s, extra] = a.items;
  if (s?.kind !== "string") malformed("@name annotation: string expected", s ?? a);
  if (extra !== undefined) malformed("@name annotation: unexpected token", extra);
  try {
    return stringText(s);
  } catch {
    malformed("@name annotation: malformed UTF-8 encoding", s);
  }
}

/** Reads `(@metadata.code.branch_hint "\00" | "\01")`: 0 (unlikely taken) or 1 (likely taken). */
export function readBranchHint(a: SAnnot): number {
  const bytes: number[] = [];
  for (const s of a.items) {
    if (s.kind !== "string") malformed(`@${BRANCH_HINT} annotation: unexpected token`, s);
    bytes.push(...s.bytes);
  }
  if (bytes.length !== 1 || bytes[0] > 1) malformed(`@${BRANCH_HINT} annotation: invalid hint value`, a);
  return bytes[0];
}

/**
 * Writes a module's sections in binary order with its custom sections placed among them (spec: a custom section
 * before or after the place of a section, whether that section is present or not; those of one place in the
 * order given). `sections` maps a section id to its contents.
 */
export function writeSections(out: ByteWriter, sections: Map<number, Uint8Array>, customs: CustomSection[]): void {
  const write = (id: number, bytes: Uint8Array) => out.u8(id).u32(bytes.length).bytes(bytes);
  const writeCustoms = (before: boolean, kind: SectionKind) => {
    for (const c of customs) {
      if (c.place.before === before && c.place.section === kind) {
        write(0, new ByteWriter().name(c.name).bytes(c.content).finish());
      }
    }
  };
  for (const [kind, id] of SECTION_ORDER) {
    writeCustoms(true, kind);
    const bytes = sections.get(id);
    if (bytes) write(id, bytes);
    writeCustoms(false, kind);
  }
}

/**
 * Rejects every `@custom`, `@name` or branch hint annotation in `module` (the list holding a module's fields) that
 * the encoder did not use: it was written where it has no meaning.
 */
export function checkAnnotationsUsed(module: SList, used: ReadonlySet<SAnnot>): void {
  const walk = (l: SList, inFunc: boolean): void => {
    for (const a of l.annots ?? []) {
      if (used.has(a)) continue;
      if (a.name === CUSTOM || a.name === NAME) malformed(`misplaced @${a.name} annotation`, a);
      if (a.name === BRANCH_HINT) {
        malformed(`@${BRANCH_HINT} annotation: ${inFunc ? "invalid placement" : "not in a function"}`, a);
      }
    }
    for (const e of l.items) {
      if (e.kind !== "list" || !e.annotated) continue;
      walk(e, inFunc || (l === module && e.items[0]?.kind === "atom" && e.items[0].text === "func"));
    }
  };
  walk(module, false);
}
