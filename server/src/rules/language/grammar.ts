// The rules language's grammar (peggy). Named rules ("THEN", "value", …) are what syntax errors list as expected;
// their insides stay silent, so a message reads `Expected AND, OR or THEN but "TEHN" found`.

export const grammar = String.raw`
{{
  const span = (l) => ({
    start: { offset: l.start.offset, line: l.start.line, column: l.start.column },
    end: { offset: l.end.offset, line: l.end.line, column: l.end.column },
  })
  const durationUnits = { m: 1, min: 1, mins: 1, h: 60, d: 1440 }
  const unquote = (chars) => chars.replace(/\\(.)/gs, '$1')
}}

Rule
  = _ IF _ condition:Or _ THEN _ actions:Actions _ FullStop? _ End
    { return { condition, actions, span: span(location()) } }

Or
  = head:And tail:(_ OR _ @And)*
    { return tail.length ? { kind: 'or', items: [head, ...tail], span: span(location()) } : head }

And
  = head:Unary tail:(_ AND _ @Unary)*
    { return tail.length ? { kind: 'and', items: [head, ...tail], span: span(location()) } : head }

Unary
  = nots:(@NOT _)* item:Primary
    { return nots.reduce((c) => ({ kind: 'not', item: c, span: span(location()) }), item) }

Primary
  = "(" _ @Or _ ")"
  / Compare

Compare
  = fieldText:Field _ op:Operator _ value:Value
    { return { kind: 'compare', field: fieldText, fieldText, op, value, span: span(location()) } }

Field "field"
  = !Keyword @$([A-Za-z_] [A-Za-z0-9_]*)

Operator "operator"
  = "!=" { return '!=' }
  / ">=" { return '>=' }
  / "<=" { return '<=' }
  / "=" { return '=' }
  / ">" { return '>' }
  / "<" { return '<' }
  / "in"i !IdentChar { return 'in' }
  / "contains"i !IdentChar { return 'contains' }

Actions
  = head:Action tail:(_ AND _ @Action)* { return [head, ...tail] }

Action
  = nameText:ActionName _ "(" _ args:Args? _ ")" to:(_ @To)? w:(_ @With)?
    {
      return {
        nameText,
        args: args ?? [],
        ...(to ? { to } : {}),
        ...(w ? { with: w } : {}),
        span: span(location()),
      }
    }

ActionName "action"
  = !Keyword @$([A-Za-z_] [A-Za-z0-9_-]*)

Args
  = head:Arg tail:(_ "," _ @Arg)* { return [head, ...tail] }

Arg
  = name:(@ArgName _ "=" !"=" _)? value:Value { return { name: name ?? null, value, span: span(location()) } }

ArgName
  = $([A-Za-z_] [A-Za-z0-9_]*)

To
  = TO _ target:Recipient via:(_ VIA _ @Channels)?
    { return { target: target.value, via: via ?? [], span: span(location()) } }

Recipient "recipient"
  = Word

Channels
  = head:Channel tail:(_ "," _ @Channel)* { return [head, ...tail].map((w) => w.value) }

Channel "channel"
  = Word

With
  = WITH _ deadline:Duration _ DEADLINE { return { deadline, span: span(location()) } }

Value
  = List / Scalar

Scalar "value"
  = Money / Duration / Percent / Number / String / Word

List
  = "(" _ head:Scalar tail:(_ "," _ @Scalar)* _ ")"
    { return { kind: 'list', items: [head, ...tail], span: span(location()) } }

Money
  = amount:Decimal [ \t]+ currency:Currency
    {
      // Hundredths until compile knows the currency's exponent
      const amountMinor = Math.round(Number(amount) * 100)
      return { kind: 'money', amountMinor, currency, text: text(), span: span(location()) }
    }

Currency
  = !((AND / NOT) !IdentChar) @$([A-Z] [A-Z] [A-Z]) !IdentChar

Duration "duration"
  = amount:Decimal unit:$("mins"i / "min"i / [mhd]i) !IdentChar
    {
      return {
        kind: 'duration',
        minutes: Math.round(Number(amount) * durationUnits[unit.toLowerCase()]),
        text: text(),
        span: span(location()),
      }
    }

Percent
  = amount:Decimal "%" { return { kind: 'percent', value: Number(amount), span: span(location()) } }

Number
  = amount:$("-"? Decimal) !IdentChar { return { kind: 'number', value: Number(amount), span: span(location()) } }

Decimal
  = $([0-9]+ ("." [0-9]+)?)

String
  = "'" chars:$(("\\" . / [^'\\])*) "'" { return { kind: 'string', value: unquote(chars), span: span(location()) } }
  / '"' chars:$(("\\" . / [^"\\])*) '"' { return { kind: 'string', value: unquote(chars), span: span(location()) } }

Word
  = !Keyword value:$([A-Za-z_] [A-Za-z0-9_-]*) { return { kind: 'word', value, span: span(location()) } }

Keyword
  = IF / THEN / AND / OR / NOT / TO / VIA / WITH

IF "IF" = "if"i !IdentChar
THEN "THEN" = "then"i !IdentChar
AND "AND" = "and"i !IdentChar
OR "OR" = "or"i !IdentChar
NOT "NOT" = "not"i !IdentChar
TO "TO" = "to"i !IdentChar
VIA "VIA" = "via"i !IdentChar
WITH "WITH" = "with"i !IdentChar
DEADLINE "DEADLINE" = "deadline"i !IdentChar

IdentChar = [A-Za-z0-9_]

FullStop "full stop" = "."

End "end of rule" = !.

_ "whitespace" = [ \t\r\n]*
`
