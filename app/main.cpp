// peertun: the desktop app. Until the GUI issue lands this is a placeholder window that says
// how to run a tunnel headless.
#include <QApplication>
#include <QLabel>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QLabel label(QObject::tr("peertun: the desktop app is not built yet.\n"
                             "Run a tunnel with: peertun-helper --standalone PROFILE.json"));
    label.setMargin(24);
    label.show();
    return QApplication::exec();
}
