// The runs browser's filter row (see run_filter_bar.h).
#include "ui/browser/run_filter_bar.h"

#include <QAbstractItemView>
#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QHBoxLayout>
#include <QVBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QStyle>
#include <QTimer>

namespace ffint8 {

namespace {

constexpr int kTextDebounceMs = 300;
constexpr int kComboCharacters = 9;

QComboBox *makeCombo(QWidget *parent, const QString &toolTip)
{
    auto *combo = new QComboBox(parent);
    combo->setToolTip(toolTip);
    // A bounded width, whatever names the store holds (a suite or board name of 40 characters must
    // not widen the window); the open list is as wide as its longest entry (fillCombo).
    combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    combo->setMinimumContentsLength(kComboCharacters);
    combo->addItem(QObject::tr("any"), QString());
    return combo;
}

QDateEdit *makeDateEdit(QWidget *parent)
{
    auto *edit = new QDateEdit(QDate::currentDate(), parent);
    edit->setCalendarPopup(true);
    edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
    edit->setEnabled(false);
    return edit;
}

} // namespace

RunFilterBar::RunFilterBar(QWidget *parent)
    : QWidget(parent),
      m_status(makeCombo(this, tr("Status"))),
      m_algorithm(makeCombo(this, tr("Algorithm"))),
      m_dataset(makeCombo(this, tr("Dataset"))),
      m_tag(makeCombo(this, tr("Tag"))),
      m_suite(makeCombo(this, tr("Suite: the runs of one suite (ffint8 run SUITE, or a suite queued in the launcher)"))),
      m_board(makeCombo(this, tr("Board: the runs one board trained (a shared store holds several boards' runs)"))),
      m_useSince(new QCheckBox(tr("Since"), this)),
      m_since(makeDateEdit(this)),
      m_useUntil(new QCheckBox(tr("Until"), this)),
      m_until(makeDateEdit(this)),
      m_text(new QLineEdit(this)),
      m_textTimer(new QTimer(this))
{
    m_text->setPlaceholderText(tr("Search names, specs, messages, notes"));
    m_text->setClearButtonEnabled(true);
    m_textTimer->setSingleShot(true);
    m_textTimer->setInterval(kTextDebounceMs);

    // Two rows: the choices, then the dates and the search; in one row they would set the window's
    // least width beyond a laptop's screen.
    auto *rows = new QVBoxLayout(this);
    rows->setContentsMargins(0, 0, 0, 0);
    auto *choices = new QHBoxLayout;
    auto *search = new QHBoxLayout;
    rows->addLayout(choices);
    rows->addLayout(search);
    const std::pair<QString, QComboBox *> combos[]
        = {{tr("Status"), m_status}, {tr("Algorithm"), m_algorithm}, {tr("Dataset"), m_dataset}, {tr("Tag"), m_tag}, {tr("Suite"), m_suite},
           {tr("Board"), m_board}};
    for (const auto &[label, combo] : combos) {
        choices->addWidget(new QLabel(label, this));
        choices->addWidget(combo, 1);
        connect(combo, &QComboBox::currentIndexChanged, this, &RunFilterBar::emitFilter);
    }
    search->addWidget(m_useSince);
    search->addWidget(m_since);
    search->addWidget(m_useUntil);
    search->addWidget(m_until);
    search->addWidget(m_text, 1);

    connect(m_useSince, &QCheckBox::toggled, m_since, &QWidget::setEnabled);
    connect(m_useUntil, &QCheckBox::toggled, m_until, &QWidget::setEnabled);
    connect(m_useSince, &QCheckBox::toggled, this, &RunFilterBar::emitFilter);
    connect(m_useUntil, &QCheckBox::toggled, this, &RunFilterBar::emitFilter);
    connect(m_since, &QDateEdit::dateChanged, this, &RunFilterBar::emitFilter);
    connect(m_until, &QDateEdit::dateChanged, this, &RunFilterBar::emitFilter);
    connect(m_text, &QLineEdit::textChanged, m_textTimer, qOverload<>(&QTimer::start));
    connect(m_textTimer, &QTimer::timeout, this, &RunFilterBar::emitFilter);
}

void RunFilterBar::fillCombo(QComboBox *combo, const QStringList &values)
{
    const QString current = valueOf(combo);
    while (combo->count() > 1)
        combo->removeItem(1);
    for (const QString &value : values)
        combo->addItem(value, value);
    // A choice no run has any more stays offered, so the filter the user set is not dropped silently.
    if (!current.isEmpty() && combo->findData(current) < 0)
        combo->addItem(current, current);
    combo->setCurrentIndex(std::max(0, combo->findData(current)));
    combo->view()->setMinimumWidth(combo->view()->sizeHintForColumn(0) + combo->style()->pixelMetric(QStyle::PM_ScrollBarExtent));
}

void RunFilterBar::selectValue(QComboBox *combo, const QString &value)
{
    if (!value.isEmpty() && combo->findData(value) < 0)
        combo->addItem(value, value);
    combo->setCurrentIndex(std::max(0, combo->findData(value)));
}

QString RunFilterBar::valueOf(const QComboBox *combo)
{
    return combo->currentData().toString();
}

void RunFilterBar::setChoices(const RunFilterChoices &choices)
{
    const RunFilter before = filter();
    {
        m_updating = true;
        fillCombo(m_status, choices.statuses);
        fillCombo(m_algorithm, choices.algorithms);
        fillCombo(m_dataset, choices.datasets);
        fillCombo(m_tag, choices.tags);
        fillCombo(m_suite, choices.suites);
        fillCombo(m_board, choices.boards);
        m_updating = false;
    }
    const RunFilter after = filter();
    if (after.status != before.status || after.algorithm != before.algorithm || after.dataset != before.dataset
        || after.tag != before.tag || after.suite != before.suite || after.board != before.board)
        emitFilter();
}

RunFilter RunFilterBar::filter() const
{
    RunFilter f;
    f.status = valueOf(m_status);
    f.algorithm = valueOf(m_algorithm);
    f.dataset = valueOf(m_dataset);
    f.tag = valueOf(m_tag);
    f.suite = valueOf(m_suite);
    f.board = valueOf(m_board);
    f.text = m_text->text().trimmed();
    if (m_useSince->isChecked())
        f.since = m_since->date().toString(Qt::ISODate);
    if (m_useUntil->isChecked())
        f.until = m_until->date().toString(Qt::ISODate); // a bare date: the store includes that whole day
    return f;
}

void RunFilterBar::setFilter(const RunFilter &f)
{
    m_updating = true;
    selectValue(m_status, f.status);
    selectValue(m_algorithm, f.algorithm);
    selectValue(m_dataset, f.dataset);
    selectValue(m_tag, f.tag);
    selectValue(m_suite, f.suite);
    selectValue(m_board, f.board);
    const QDate since = QDate::fromString(f.since.left(10), Qt::ISODate);
    const QDate until = QDate::fromString(f.until.left(10), Qt::ISODate);
    m_useSince->setChecked(since.isValid());
    if (since.isValid())
        m_since->setDate(since);
    m_useUntil->setChecked(until.isValid());
    if (until.isValid())
        m_until->setDate(until);
    m_text->setText(f.text);
    m_textTimer->stop();
    m_updating = false;
    emitFilter();
}

void RunFilterBar::emitFilter()
{
    if (m_updating)
        return;
    m_textTimer->stop();
    emit filterChanged(filter());
}

} // namespace ffint8
