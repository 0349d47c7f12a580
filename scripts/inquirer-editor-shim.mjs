// Stands in for @inquirer/editor in the shipped bundle: wxplat never opens an editor prompt, and the
// real one brings iconv-lite's encoding tables (half a megabyte that every command would read at start).
export default function editor() {
  throw new Error('the editor prompt is not part of wxplat');
}
