"""``model.to_sql()``: one SELECT that computes a model's predictions inside a database.

The query reads ``table`` in stages (common table expressions): the model's features, normalised
the way glassbox reads them (numbers as doubles; NaN as missing); the raw score, rule or leaf of
each row; then the probabilities and the label, or the prediction.

The query is written once, for every engine; what an engine spells its own way (literals,
quoting, types, NaN, the functions whose behaviour differs) comes from its
:class:`~glassbox.export._sql_dialects.Dialect`.
"""

from glassbox.export._codegen import AdditivePlan, Split, index_groups, ladder, make_plan, one_line
from glassbox.export._sql_dialects import ALIASES, DIALECTS, dialect as get_dialect  # noqa: F401 (re-exported)


def to_sql(model, table="data", *, dialect="sqlite", keep=()):
    """The SELECT statement (a string) computing ``model``'s predictions; see ``InspectionMixin.to_sql``."""
    engine = get_dialect(dialect)
    plan = make_plan(model)
    return _Writer(plan, engine, _table_name(table, engine), _keep_columns(keep, engine)).query()


def _table_name(table, engine):
    parts = [table] if isinstance(table, str) else list(table) if isinstance(table, (tuple, list)) else None
    if not parts or not all(isinstance(p, str) and p for p in parts):
        raise ValueError(
            f"table must be a table name (str) or a qualified name as a tuple such as ('schema', 'table'), "
            f"got {table!r}."
        )
    return ".".join(engine.quote(p) for p in parts)


def _keep_columns(keep, engine):
    keep = [keep] if isinstance(keep, str) else list(keep)
    if not all(isinstance(k, str) and k for k in keep):
        raise ValueError(f"keep must list column names (strings) to pass through, got {keep!r}.")
    keys = [engine.key(k) for k in keep]
    repeated = sorted({k for k, key in zip(keep, keys) if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"keep names columns {repeated} more than once{_same_name(engine)}; list each once.")
    return keep


def _same_name(engine):
    """Why two different names can be one column in ``engine``, in parentheses ("" if only by being equal)."""
    why = ["SQL names ignore case"] if engine.folds_case else []
    if engine.max_name_bytes:
        why.append(f"{engine.title} reads the first {engine.max_name_bytes} bytes of a name")
    return f" ({'; '.join(why)})" if why else ""


def float_literal(value, dialect):
    """A SQL expression every engine of ``dialect`` reads as exactly the double ``value``."""
    return get_dialect(dialect).literal(float(value))


def _mixed_levels(feature, engine):
    """Whether a categorical feature's levels mix strings with numbers where a column holds one
    type; such a column is text there (as pandas frames are loaded, with Python's ``str``), so
    the levels are compared as their ``str``, which must then tell them apart."""
    levels = list(feature.levels) + list(feature.other_levels) if feature.is_categorical else []
    if not engine.one_type_per_column or len({isinstance(v, str) for v in levels}) < 2:
        return False
    texts = [str(v) for v in levels]
    same = sorted({t for t in texts if texts.count(t) > 1})
    if same:
        raise ValueError(
            f"feature {feature.name!r} has levels that differ only in type (as text: {same}); {engine.title} "
            "holds one type per column, so its SQL cannot tell them apart. Export for SQLite, or make the "
            "column's levels all strings before fitting."
        )
    return True


class _Writer:
    """Renders one plan as one query."""

    def __init__(self, plan, engine, table, keep):
        self.plan, self.engine, self.table, self.keep = plan, engine, table, keep
        self.quote = engine.quote
        # Every column is read qualified by the stage it comes from ("glassbox_inputs"."x"): an
        # unqualified "True" is SQLite's keyword, and an unknown double-quoted name its string
        # literal; a qualified one is the column, or an error.
        self.source = self.quote(_DATA)
        self.taken = {engine.key(k) for k in keep}
        keywords = sorted(k for k in keep if k.lower() in _KEYWORD_NAMES)
        if keywords and engine.name == "sqlite":
            raise ValueError(
                f"keep names columns {keywords}: SQLite reads \"True\" and \"False\" as its keywords when "
                "they name a query's column, so such a column cannot be passed through; rename it, or join "
                "the predictions back on another column."
            )
        self.taken |= _KEYWORD_NAMES  # never an internal column's name either
        outputs = self._output_names()
        clash = [name for name in outputs if engine.key(name) in self.taken]
        if clash:
            raise ValueError(
                f"keep names columns {clash} that the query outputs itself; rename them in the "
                "table or select them in an outer query."
            )
        self.outputs = outputs
        self.taken |= {engine.key(name) for name in outputs}
        self.alias = {j: self._name(plan.features[j].name) for j in plan.used}
        self.as_text = {j for j in plan.used if _mixed_levels(plan.features[j], engine)}

    def _name(self, wanted):
        """An internal column name not yet taken (as the engine compares names: without case, or
        cut to its length), ``wanted`` itself if it is free."""
        suffix = ""
        while True:
            name = self.engine.clip(wanted, reserve=len(suffix)) + suffix
            if self.engine.key(name) not in self.taken:
                self.taken.add(self.engine.key(name))
                return name
            suffix += "_"

    def _output_names(self):
        if self.plan.classes is None:
            return ["prediction"]
        names = [f"proba_{c}" for c in self.plan.classes]
        # Classes 'A' and 'a' where SQL ignores case, or long labels the engine cuts alike.
        if len({self.engine.key(n) for n in names}) < len(names):
            names = [f"proba_{k}" for k in range(len(names))]
        return names + ["prediction"]

    def lit(self, value):
        return self.engine.literal(float(value))

    def value(self, value):
        """A level or a class label as a SQL literal of its own type."""
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return self.lit(value)
        return self.engine.string(value)

    def ref(self, name):
        """Column ``name`` of the stage being read (qualified)."""
        return f"{self.source}.{self.quote(name)}"

    def _stage(self, stages, name, columns):
        """Add a stage (its columns read the current one); later columns read the new stage."""
        stages.append((name, columns))
        self.source = self.quote(name)

    # --- the query ---------------------------------------------------------------------------

    def query(self):
        stages = []
        inputs = [self._input(j) for j in self.plan.used]
        # A model that reads no column (a default rule alone, a stump that never split) still
        # needs a column per row: SQL has no empty SELECT list.
        self._stage(stages, "glassbox_inputs", inputs or [f"0 AS {self.quote(self._name('glassbox_row'))}"])
        if isinstance(self.plan.body, AdditivePlan):
            final = self._additive(stages)
        else:
            final = self._decision(stages)
        header = self._header()
        lines = list(header)
        ctes = []
        source, qualifier = f"{self.table} AS {self.quote(_DATA)}", self.quote(_DATA)
        for i, (name, columns) in enumerate(stages):
            # Later stages name a column several times (softmax, the label); MATERIALIZED keeps
            # the engine from pasting the big CASE sums into each use and evaluating them again.
            hint = self.engine.materialized if i else ""
            ctes.append(f"{self.quote(name)} AS {hint}(\n{self._select(columns, source, qualifier, 1)}\n)")
            source = qualifier = self.quote(name)  # each stage reads the one before
        lines.append("WITH " + ",\n".join(ctes))
        lines.append(self._select(final, source, qualifier, 0) + (f"\n{self.engine.settings}" if self.engine.settings
                                                                  else "") + ";")
        size, limit = len(("\n".join(lines) + "\n").encode("utf-8")), self.engine.max_query_bytes
        if limit and size > limit:
            need = (size + 200) // 65536 * 65536 + 65536  # whole 64 KiB, with room for this comment
            lines.insert(len(header), f"-- {self.engine.title} parses at most max_query_size bytes of a query "
                         f"({limit} by default): run SET max_query_size = {need} first.")
        return "\n".join(lines) + "\n"

    def _select(self, columns, source, qualifier, depth):
        pad = "    " * depth
        items = [f"{qualifier}.{self.quote(k)} AS {self.quote(k)}" for k in self.keep] + columns
        body = ",\n".join(_indent(item, pad + "    ") for item in items)
        return f"{pad}SELECT\n{body}\n{pad}FROM {source}"

    def _header(self):
        plan = self.plan
        used = ", ".join(one_line(plan.features[j].name) for j in plan.used)
        outputs = ", ".join(one_line(o) for o in self.outputs)
        return [
            f"-- Predictions of a glassbox {one_line(plan.title)},",
            f"-- exported by glassbox {plan.version} for {self.engine.name}.",
            f"-- Reads the columns: {used}." if used else "-- Reads no column: every row gets the same prediction.",
            f"-- Returns{' the kept columns and' if self.keep else ''}: {outputs}.",
            *([] if plan.classes is None else
              [f"-- Classes: {one_line(', '.join(f'{o} is {c!r}' for o, c in zip(self.outputs, plan.classes)))}."]),
            "-- Missing values are NULL (or NaN); a level not seen in training gets the model's 'unseen' score.",
            "-- Numbers are compared as doubles. glassbox refuses infinite values; here +inf and -inf",
            "-- are binned like the largest and the smallest values.",
            *([] if not self.as_text else [
                f"-- {self.engine.title} holds one type per column (a pandas column of strings and numbers arrives "
                "as text):",
                f"-- the levels of {one_line(', '.join(plan.features[j].name for j in sorted(self.as_text)))} "
                "are compared as text.",
            ]),
        ]

    def _input(self, j):
        """The feature read as the binning reads it: numbers as doubles, NaN as missing."""
        bins, column, engine = self.plan.features[j], self.ref(self.plan.features[j].name), self.engine
        if not bins.is_categorical:
            expr = engine.nan_to_null.format(x=f"CAST({column} AS {engine.double})")
        else:
            levels = bins.levels + bins.other_levels
            typed = engine.one_type_per_column and levels
            expr = column
            if j in self.as_text or (typed and all(isinstance(v, str) for v in levels)):
                expr = f"CAST({column} AS {engine.text})"  # an ENUM column then compares with any string
            elif typed and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in levels):
                expr = engine.nan_to_null.format(x=column)
        return f"{expr} AS {self.quote(self.alias[j])}"

    # --- GAMs ----------------------------------------------------------------------------------

    def _additive(self, stages):
        plan, body = self.plan, self.plan.body
        k_out = len(body.intercept)
        suffixes = [""] if k_out == 1 else [f"_{c}" for c in plan.classes]
        raw = [self._name("raw" + s) for s in suffixes]
        scores = []
        for k in range(k_out):
            parts = [f"{self.lit(body.intercept[k])}  -- intercept"]
            for term in body.terms:
                parts.append(f"+ {self._term(term, k)}  -- {one_line(term.name)}")
            scores.append("\n".join(parts) + f"\nAS {self.quote(raw[k])}")
        self._stage(stages, "glassbox_scores", scores)
        link, quote, exp = body.link, self.quote, self.engine.exp
        if link == "identity":
            return [f"{self.ref(raw[0])} AS {quote('prediction')}"]
        if link == "log":
            return [f"{exp(self.ref(raw[0]))} AS {quote('prediction')}"]
        if link == "logit":
            name = self._name("p")
            sigmoid = f"1e0 / (1e0 + {exp('-' + self.ref(raw[0]))})"
            self._stage(stages, "glassbox_probabilities", [f"{sigmoid} AS {quote(name)}"])
            p = self.ref(name)
            label = f"CASE WHEN {p} > 1e0 - {p} THEN {self._label(1)} ELSE {self._label(0)} END"
            return [f"1e0 - {p} AS {quote(self.outputs[0])}", f"{p} AS {quote(self.outputs[1])}",
                    f"{label} AS {quote('prediction')}"]
        # softmax, as predict_proba: exp(raw - max) over their sum, added left to right
        top = f"{self.engine.greatest}({', '.join(self.ref(r) for r in raw)})"
        exps = [self._name("exp" + s) for s in suffixes]
        self._stage(stages, "glassbox_exps",
                    [f"{exp(f'{self.ref(r)} - {top}')} AS {quote(e)}" for r, e in zip(raw, exps)])
        total = " + ".join(self.ref(e) for e in exps)
        probas = [self._name("p" + s) for s in suffixes]
        self._stage(stages, "glassbox_probabilities",
                    [f"{self.engine.share(self.ref(e), total)} AS {quote(p)}" for e, p in zip(exps, probas)])
        columns = [f"{self.ref(p)} AS {quote(o)}" for p, o in zip(probas, self.outputs)]
        return columns + [self._argmax([self.ref(p) for p in probas])]

    def _label(self, k):
        return self.value(self.plan.classes[k])

    def _argmax(self, probas):
        """The first class of largest probability (np.argmax): class k wins when no later class
        beats it, the earlier ones having already lost."""
        whens = []
        for k in range(len(probas) - 1):
            conditions = " AND ".join(f"{probas[k]} >= {probas[j]}" for j in range(k + 1, len(probas)))
            whens.append(f"    WHEN {conditions} THEN {self._label(k)}")
        last = self._label(len(probas) - 1)
        return "CASE\n" + "\n".join(whens) + f"\n    ELSE {last}\nEND AS {self.quote('prediction')}"

    def _term(self, term, k):
        if len(term.features) == 1:
            return self._ladder(term.features[0], [v[k] for v in term.table], self.lit)
        a, b = term.features
        rows = [tuple(v[k] for v in row) for row in term.table]
        return self._ladder(a, rows, lambda row: self._ladder(b, list(row), self.lit))

    def _ladder(self, feature, values, render):
        branches, default = ladder(feature, self.plan.features[feature], values)
        if not branches:
            return render(default)
        whens = [f"    WHEN {self.test(t)} THEN {_indent(render(v), '    ').strip()}" for t, v in branches]
        return "CASE\n" + "\n".join(whens) + f"\n    ELSE {_indent(render(default), '    ').strip()}\nEND"

    # --- rule lists and trees -----------------------------------------------------------------

    def _decision(self, stages):
        body = self.plan.body
        index_name = self._name(body.leaf_kind)
        stage = {"rule": "glassbox_rules", "leaf": "glassbox_leaves"}[body.leaf_kind]
        self._stage(stages, stage, [f"{self._choice(body.root)} AS {self.quote(index_name)}"])
        index = self.ref(index_name)
        columns = []
        for k in range(len(body.values[0])):
            values = [v[k] for v in body.values]
            columns.append(f"{self._by_index(index, values, self.lit)} AS {self.quote(self.outputs[k])}")
        if self.plan.classes is not None:
            columns.append(f"{self._by_index(index, list(body.labels), self.value)} AS {self.quote('prediction')}")
        return columns

    def _choice(self, node):
        """A Split as CASE: WHEN its tests THEN its ``then`` side; its ``otherwise`` side goes on
        in the same CASE while it is a Split (a rule list reads as one flat CASE)."""
        if not isinstance(node, Split):
            return str(node)
        whens = []
        while isinstance(node, Split):
            tests = " AND ".join(self.test(t) for t in node.tests) or "TRUE"
            then = _indent(self._choice(node.then), "    ").strip()
            whens.append(f"    -- {one_line(node.text)}\n    WHEN {tests} THEN {then}")
            node = node.otherwise
        return "CASE\n" + "\n".join(whens) + f"\n    ELSE {node}\nEND"

    def _by_index(self, index, values, render):
        groups, default = index_groups(values)
        if not groups:
            return render(default)
        whens = [f"    WHEN {index} {'= ' + str(i[0]) if len(i) == 1 else 'IN (' + ', '.join(map(str, i)) + ')'}"
                 f" THEN {render(v)}" for i, v in groups]
        return "CASE\n" + "\n".join(whens) + f"\n    ELSE {render(default)}\nEND"

    def test(self, test):
        """A Test as a SQL condition: TRUE exactly where it passes, FALSE or NULL elsewhere (NULL
        fails every comparison and every IN / NOT IN)."""
        column = self.ref(self.alias[test.feature])
        lit = self.lit
        level = self.engine.string if test.feature in self.as_text else self.value
        levels = lambda values: ", ".join(level(v) for v in values)  # noqa: E731
        spell = {
            "present": lambda: f"{column} IS NOT NULL",
            "at_most": lambda t: f"{column} <= {lit(t)}",
            "above": lambda t: f"{column} > {lit(t)}",
            "between": lambda lo, hi: f"({column} > {lit(lo)} AND {column} <= {lit(hi)})",
            "is": lambda v: f"{column} = {level(v)}",
            "in": lambda vs: f"{column} IN ({levels(vs)})",
            "not_in": lambda vs: f"{column} NOT IN ({levels(vs)})",
            "missing": lambda: f"{column} IS NULL",
        }
        parts = [spell[kind](*operands) for kind, *operands in test.clauses()]
        if not parts:
            return "FALSE"
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def _indent(text, pad):
    """``text`` with ``pad`` before each of its lines -- the lines of SQL, that is: a line break
    inside a quoted identifier or string literal is part of a name or a value, and padding it
    would rename the column or change the value."""
    out = [pad]
    quote_char, comment, i = None, False, 0
    while i < len(text):
        ch = text[i]
        if comment:  # a comment runs to the end of its line
            comment = ch != "\n"
        elif quote_char:  # a doubled quote inside one closes and reopens it: the same here
            if ch == quote_char:
                quote_char = None
        elif ch in "'\"":
            quote_char = ch
        elif text.startswith("--", i):
            comment = True
        out.append(ch)
        if ch == "\n" and not quote_char:
            out.append(pad)
        i += 1
    return "".join(out)


# The alias of the user's table in the query's first stage.
_DATA = "glassbox_data"

# Names SQLite takes for its keywords TRUE and FALSE even double-quoted, when they name a column
# of a query (the table's own columns of these names are read, qualified, as they are).
_KEYWORD_NAMES = frozenset({"true", "false"})
