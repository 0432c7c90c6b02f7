"""Compiling a choice's or a scene's effects from their nodes: set, add, subtract, remove, unlock, roll, pick, and if."""

from __future__ import annotations

from adventure.source.textsafe import clean
from adventure.source.yamlsource import Map, Node, Scalar, Seq
from adventure.story.builders import add_int, set_add, set_var
from adventure.story.expr import Env
from adventure.story.exprhints import suggest
from adventure.story.loader.declarations import Declarations
from adventure.story.loader.reader import Reader
from adventure.story.model import Effect, Pick, Roll, SetRemove, Unlock, Variable, When

EFFECTS = ("set", "add", "subtract", "remove", "unlock", "roll", "pick")
MAX_EFFECT_DEPTH = 8


class EffectCompiler:
    """The effects half of the scene compiler (SceneCompiler inherits it): it reads the
    story's declarations and checks expressions in its environment."""

    decls: Declarations
    env: Env

    def effects(self, reader: Reader, node: Node | None, what: str, depth: int = 0) -> tuple[Effect, ...]:
        if node is None:
            return ()
        result: list[Effect] = []
        items = node.items if node.__class__ is Seq else reader.sequence(node, what, allow_single=depth > 0 and isinstance(node, Map))
        for item in items:
            effect_map = item if item.__class__ is Map else reader.mapping(item, "an effect")
            if effect_map is None:
                continue
            pairs = effect_map.pairs
            if (pairs[0][0].value == "if" if len(pairs) == 1 else effect_map.get("if") is not None):
                when = self.when(reader, effect_map, what, depth)
                if when is not None:
                    result.append(when)
                continue
            if len(effect_map.pairs) != 1:
                reader.error("E305",
                    effect_map, "each effect is a mapping with exactly one key", "write one effect per `- ` line: - add: {trust: 1}"
                )
                continue
            key, value = effect_map.pairs[0]
            if key.value not in EFFECTS:
                reader.error(
                    "E305", key, f"unknown effect `{clean(key.value)}`", suggest(key.value, EFFECTS) or "effects: " + ", ".join(EFFECTS)
                )
                continue
            result.extend(getattr(self, "effect_" + key.value)(reader, value))
        return tuple(result)

    def when(self, reader: Reader, node: Map, what: str, depth: int) -> When | None:
        """`- if: ...` with `then:` effects (or one effect beside the `if`) and optional `else:`."""
        if depth >= MAX_EFFECT_DEPTH:
            reader.error("E213", node, f"{what} nest conditions more than {MAX_EFFECT_DEPTH} deep", "split the logic over several choices")
            return None
        values = reader.fields(node, "a conditional effect", ("if", "then", "else", *EFFECTS))
        inline = [key for key in values if key in EFFECTS]
        if "then" in values and inline:
            reader.error(
                "E308", values[inline[0]], f"a conditional effect has both `then` and `{inline[0]}`", "put every effect under `then:`"
            )
            return None
        if "then" not in values and len(inline) != 1:
            reader.error("E308",
                node,
                "a conditional effect needs `then:` (a list of effects) or exactly one effect beside its `if`",
                "- if: money > 0\n  then: [{subtract: {money: 1}}]\n  else: [{add: {debt: 1}}]",
            )
            return None
        condition = reader.expression(values["if"], self.env, "`if` of an effect", in_effect=True)
        if inline:
            key = inline[0]
            then = tuple(getattr(self, "effect_" + key)(reader, values[key]))
        else:
            then = self.effects(reader, values["then"], "then", depth + 1)
        otherwise = self.effects(reader, values["else"], "else", depth + 1) if "else" in values else ()
        if condition is None:
            return None
        return When(condition, then, otherwise, reader.at(node))

    def _variable(self, reader: Reader, key: Scalar, effect: str, types: tuple[str, ...]) -> Variable | None:
        variable = self.decls.variables.get(key.value)
        if variable is None:
            if self.decls.unreadable.might_declare(key.value):
                return None
            reader.error("E301",
                key,
                f"{effect}: unknown variable `{clean(key.value)}`",
                suggest(key.value, self.decls.variables) or "declare it under `variables:`",
            )
            return None
        if reader.recorder is not None:
            reader.note(key, "variable", variable.name)
        if variable.type not in types:
            reader.error(
                "E306", key, f"{effect} does not work on {variable.type} variable `{key.value}`", _effect_hint(effect, variable.type)
            )
            return None
        return variable

    def effect_set(self, reader: Reader, node: Node) -> list[Effect]:
        result: list[Effect] = []
        assignments = reader.mapping(node, "set")
        for key, value in assignments.pairs if assignments else ():
            variable = self._variable(reader, key, "set", ("bool", "int", "string", "set"))
            if variable is None:
                continue
            if isinstance(value, Map):
                fields = reader.fields(value, "a computed value", ("expr",), ("expr",))
                if "expr" in fields:
                    compiled = reader.expression(fields["expr"], self.env, f"value for `{variable.name}`", variable.type, in_effect=True)
                    if compiled is not None:
                        result.append(set_var(variable.name, None, compiled, reader.at(key)))
                continue
            literal = reader.literal(value, variable.name, self.env.variables[variable.name], f"value for `{variable.name}`")
            if literal is not None:
                result.append(set_var(variable.name, literal, None, reader.at(key)))
        return result

    def effect_add(self, reader: Reader, node: Node, sign: int = 1, name: str = "add") -> list[Effect]:
        result: list[Effect] = []
        changes = reader.mapping(node, name)
        for key, value in changes.pairs if changes else ():
            types = ("int", "set") if name == "add" else ("int",)
            variable = self._variable(reader, key, name, types)
            if variable is None:
                continue
            if variable.type == "int":
                amount = reader.integer(value, f"amount for `{variable.name}`")
                if amount is not None:
                    result.append(add_int(variable.name, sign * amount, reader.at(key)))
            else:
                members = reader.literal(value, variable.name, self.env.variables[variable.name], f"members of `{variable.name}`")
                if isinstance(members, frozenset) and members:
                    result.append(set_add(variable.name, members, reader.at(key)))
        return result

    def effect_subtract(self, reader: Reader, node: Node) -> list[Effect]:
        return self.effect_add(reader, node, -1, "subtract")

    def effect_remove(self, reader: Reader, node: Node) -> list[Effect]:
        result: list[Effect] = []
        changes = reader.mapping(node, "remove")
        for key, value in changes.pairs if changes else ():
            variable = self._variable(reader, key, "remove", ("set",))
            if variable is not None:
                members = reader.literal(value, variable.name, self.env.variables[variable.name], f"members of `{variable.name}`")
                if isinstance(members, frozenset) and members:
                    result.append(SetRemove(variable.name, members, reader.at(key)))
        return result

    def effect_unlock(self, reader: Reader, node: Node) -> list[Effect]:
        entries = []
        for entry, item in reader.strings(node, "unlock"):
            if entry not in self.decls.codex:
                if self.decls.unreadable.might_declare(entry):
                    continue
                reader.error("E501",
                    item, f"unlock: there is no codex entry `{entry}`", suggest(entry, self.decls.codex) or "declare it under `codex:`"
                )
            else:
                entries.append(entry)
                reader.note(item, "codex", entry)
        return [Unlock(tuple(entries), reader.at(node))] if entries else []

    def effect_roll(self, reader: Reader, node: Node) -> list[Effect]:
        spec = reader.mapping(node, "roll")
        if spec is None:
            return []
        values = reader.fields(spec, "roll", ("into", "min", "max"), ("into", "min", "max"))
        if len(values) != 3:
            return []
        into = values["into"]
        if not isinstance(into, Scalar):
            reader.error("E307", into, "roll: `into` must name an int variable")
            return []
        variable = self._variable(reader, into, "roll", ("int",))
        low, high = reader.integer(values["min"], "min"), reader.integer(values["max"], "max")
        if variable is None or low is None or high is None:
            return []
        if low > high:
            reader.error("E307", values["max"], f"roll: max {high} is below min {low}")
            return []
        return [Roll(variable.name, low, high, reader.at(spec))]

    def effect_pick(self, reader: Reader, node: Node) -> list[Effect]:
        spec = reader.mapping(node, "pick")
        if spec is None:
            return []
        values = reader.fields(spec, "pick", ("into", "from"), ("into", "from"))
        if len(values) != 2:
            return []
        into = values["into"]
        if not isinstance(into, Scalar):
            reader.error("E307", into, "pick: `into` must name a string variable")
            return []
        variable = self._variable(reader, into, "pick", ("string",))
        options = tuple(text for text, _ in reader.strings(values["from"], "pick: from"))
        if variable is None:
            return []
        if not options:
            reader.error("E307", values["from"], "pick: `from` needs at least one item")
            return []
        return [Pick(variable.name, options, reader.at(spec))]

    # scenes -----------------------------------------------------------------------------


def _effect_hint(effect: str, type_name: str) -> str:
    if effect in ("add", "subtract") and type_name == "bool":
        return "use set: {name: true}"
    if effect == "subtract" and type_name == "set":
        return "use remove: {name: member}"
    if effect == "remove" and type_name == "int":
        return "use subtract: {name: 1}"
    return ""
