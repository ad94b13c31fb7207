// The few entry points of mvdan-sh (mvdan/sh's parser, built to JavaScript with GopherJS) that
// shell-command.ts uses. Nodes are Go structs: fields as properties, Pos values with Offset().
declare module 'mvdan-sh' {
  export interface Pos {
    Offset(): number;
  }
  export interface ShNode {
    Pos(): Pos;
    End(): Pos;
    [field: string]: unknown;
  }
  interface Parser {
    Parse(source: string, name: string): ShNode;
  }
  const sh: {
    syntax: {
      NewParser(...options: unknown[]): Parser;
      NodeType(node: ShNode): string;
      Walk(node: ShNode, visit: (node: ShNode | null) => boolean): void;
      Variant(lang: number): unknown;
      LangBash: number;
    };
  };
  export default sh;
}
