#include "AppSetup.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QTranslator>

// Outside any namespace, as Q_INIT_RESOURCE requires; the .qrc is compiled into this static
// library, whose initializer the linker would otherwise drop.
static void initPeertunResources()
{
    Q_INIT_RESOURCE(peertun);
}

namespace peertun {

bool setUpApplication(QCoreApplication& app, const QLocale& locale)
{
    initPeertunResources();
    QLocale::setDefault(locale);
    auto* qtTranslator = new QTranslator(&app);
    if (qtTranslator->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                           QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qtTranslator);
    }
    auto* translator = new QTranslator(&app);
    if (!translator->load(locale, QStringLiteral("peertun"), QStringLiteral("_"),
                          QStringLiteral(":/i18n"))) {
        delete translator;
        return false;
    }
    QCoreApplication::installTranslator(translator);
    return true;
}

} // namespace peertun
