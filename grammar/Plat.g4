// The grammar of the Plat spec language.
//
// This file is the only description of Plat's concrete syntax. The parser is
// generated from it at build time; compiler/syntax/ turns the parse tree into
// our own AST at once, and nothing else in the project sees ANTLR types.
//
// Design notes:
// - Declaration kinds (service, model, dataset, ...) are plain identifiers,
//   not keywords: the set of kinds and their fields is defined by stdlib/ in
//   Plat itself, so the checker, not the grammar, decides what a kind is.
// - Items in a block need no separator; an optional comma is accepted so that
//   short record literals can be written on one line.
// - Comments and doc comments go to hidden channels: the formatter and hover
//   read them from the token stream, the parser never sees them.
grammar Plat;

// ---------------------------------------------------------------- files

file
    : packageDecl? importDecl* topDecl* EOF
    ;

packageDecl
    : KW_PACKAGE qualifiedName
    ;

importDecl
    : KW_IMPORT qualifiedName (KW_AS ident)?
    ;

topDecl
    : annotation* KW_TEMPLATE kind=ident name=ident extendsClause? block   # templateDecl
    | annotation* KW_ENUM name=ident enumBody                              # enumDecl
    | annotation* kind=ident name=ident extendsClause? block               # declaration
    ;

extendsClause
    : KW_EXTENDS qualifiedName
    ;

enumBody
    : LBRACE (enumMember COMMA?)* RBRACE
    ;

enumMember
    : annotation* ident
    ;

// ---------------------------------------------------------------- blocks

block
    : LBRACE (item COMMA?)* RBRACE
    ;

item
    : kind=ident name=ident? extendsClause? block                                   # nestedBlock
    | path ASSIGN expr                                                              # assignment
    | path cmpOp expr                                                               # constraint
    | ident COLON typeExpr (ASSIGN expr)? annotation*                               # fieldDecl
    | KW_FOR kind=ident var=ident (KW_WHERE where=expr)? KW_REQUIRE cond=expr (KW_ELSE message=expr)? # ruleItem
    ;

annotation
    : AT ident (LPAREN args? RPAREN)?
    ;

// Assignment targets may also be words that are keywords elsewhere, so
// that raw patches can set fields such as a pod `template`.
path
    : pathSegment (DOT pathSegment)*
    ;

pathSegment
    : ID | KW_TEMPLATE | KW_ENUM | KW_EXTENDS | KW_AS | KW_IN | KW_IMPORT | KW_PACKAGE
    | KW_WHERE | KW_REQUIRE | KW_ELSE | KW_ANY | KW_ALL
    ;

qualifiedName
    : ident (DOT ident)*
    ;

// An identifier. `any` and `all` open quantifiers only when followed by
// `name in`, so they stay usable as ordinary names.
ident
    : ID
    ;

// ---------------------------------------------------------------- types

typeExpr
    : typeExpr QUESTION                                                    # optionalType
    | typeExpr PIPE typeExpr                                               # unionType
    | qualifiedName (LT typeExpr (COMMA typeExpr)* GT)? (LPAREN args? RPAREN)? # namedType
    ;

// ---------------------------------------------------------------- expressions

// Alternatives are listed from the tightest binding to the loosest.
expr
    : primary                                                   # primaryExpr
    | expr DOT ident                                            # memberExpr
    | expr LPAREN args? RPAREN                                  # callExpr
    | expr LBRACK expr RBRACK                                   # indexExpr
    | MINUS expr                                                # negExpr
    | expr DOTDOT expr                                          # rangeExpr
    | expr cmpOp expr                                           # compareExpr
    | expr KW_IN expr                                           # inExpr
    | KW_NOT expr                                               # notExpr
    | expr KW_AND expr                                          # andExpr
    | expr KW_OR expr                                           # orExpr
    | quant=(KW_ANY | KW_ALL) var=ident KW_IN expr COLON expr    # quantifierExpr
    ;

cmpOp
    : LT | LE | GT | GE | EQ | NE
    ;

args
    : arg (COMMA arg)* COMMA?
    ;

arg
    : (ident ASSIGN)? expr
    ;

primary
    : STRING                                                    # stringLit
    | RAW_STRING                                                # rawStringLit
    | number                                                    # numberLit
    | (KW_TRUE | KW_FALSE)                                      # boolLit
    | ident                                                     # nameRef
    | LPAREN expr RPAREN                                        # parenExpr
    | LBRACK (expr (COMMA expr)* COMMA?)? RBRACK                # listLit
    | block                                                     # recordLit
    ;

// 42, 1.5, 500m, 512Mi, 4h, 120 usd, 10_000/day, 18_000 usd/month
number
    : (INT | FLOAT | QUANTITY) CURRENCY? (SLASH per=ident)?
    ;

// ---------------------------------------------------------------- lexer

KW_PACKAGE  : 'package' ;
KW_IMPORT   : 'import' ;
KW_AS       : 'as' ;
KW_TEMPLATE : 'template' ;
KW_ENUM     : 'enum' ;
KW_EXTENDS  : 'extends' ;
KW_FOR      : 'for' ;
KW_WHERE    : 'where' ;
KW_REQUIRE  : 'require' ;
KW_ELSE     : 'else' ;
KW_AND      : 'and' ;
KW_OR       : 'or' ;
KW_NOT      : 'not' ;
KW_IN       : 'in' ;
KW_ANY      : 'any' ;
KW_ALL      : 'all' ;
KW_TRUE     : 'true' ;
KW_FALSE    : 'false' ;
CURRENCY    : 'usd' | 'eur' | 'gbp' ;

LBRACE   : '{' ;
RBRACE   : '}' ;
LPAREN   : '(' ;
RPAREN   : ')' ;
LBRACK   : '[' ;
RBRACK   : ']' ;
DOTDOT   : '..' ;
DOT      : '.' ;
COMMA    : ',' ;
COLON    : ':' ;
QUESTION : '?' ;
PIPE     : '|' ;
AT       : '@' ;
SLASH    : '/' ;
MINUS    : '-' ;
LE       : '<=' ;
GE       : '>=' ;
EQ       : '==' ;
NE       : '!=' ;
LT       : '<' ;
GT       : '>' ;
ASSIGN   : '=' ;

FLOAT    : DIGITS '.' DIGITS EXPONENT? | DIGITS EXPONENT ;
QUANTITY : DIGITS ('.' DIGITS)? [a-zA-Z] [a-zA-Z0-9]* ;
INT      : DIGITS ;
ID       : [a-zA-Z_] [a-zA-Z0-9_]* ;

fragment DIGITS   : [0-9] [0-9_]* ;
fragment EXPONENT : [eE] [+-]? [0-9]+ ;

RAW_STRING : '"""' .*? '"""' ;
STRING     : '"' (ESC | ~["\\\r\n])* '"' ;
fragment ESC : '\\' . ;

DOC_COMMENT   : '///' ~[\r\n]* -> channel(2) ;
LINE_COMMENT  : '//' ~[\r\n]* -> channel(2) ;
BLOCK_COMMENT : '/*' .*? '*/' -> channel(2) ;

WS : [ \t\r\n\u000C]+ -> skip ;

// Tokens for malformed input. They never match where a well-formed token
// does (a terminated string is always the longer match), and the syntax layer
// turns each into a located diagnostic instead of letting the lexer fail.
UNTERMINATED_RAW_STRING : '"""' ( ~'"' | '"' ~'"' | '""' ~'"' )* '"'? '"'? EOF ;
UNTERMINATED_STRING     : '"' (ESC | ~["\\\r\n])* '\\'? ;
UNTERMINATED_COMMENT    : '/*' ( ~'*' | '*'+ ~[*/] )* '*'* EOF ;
ERROR_CHAR              : . ;
